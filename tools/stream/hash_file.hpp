#pragma once
// The hash file beside a data file (tools/stream/data_file.hpp), the same
// on every system; data_file.cpp and windows/data_file.cpp write the data.
#include <string>

namespace lb {

// "run `bench stream generate --file PATH` first".
std::string generate_hint(const std::string& data_path);
// Writes "HEX  NAME" to the hash file through a temporary file renamed
// into place; DataFileError when it cannot.
void write_hash_file(const std::string& data_path, const std::string& sha256);

}  // namespace lb
