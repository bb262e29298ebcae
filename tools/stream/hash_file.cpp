#include "tools/stream/hash_file.hpp"

#include <filesystem>
#include <fstream>

#include "tools/stream/data_file.hpp"

namespace lb {
namespace {

std::string base_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace

std::string generate_hint(const std::string& data_path) {
  return "run `bench stream generate --file " + data_path + "` first";
}

std::string hash_path_for(const std::string& data_path) {
  return std::filesystem::path(data_path).replace_extension(".hash").string();
}

std::string read_recorded_hash(const std::string& data_path) {
  const std::string hash_path = hash_path_for(data_path);
  std::ifstream in(hash_path);
  if (!in)
    throw DataFileError("no hash file '" + hash_path + "' for '" + data_path +
                        "': " + generate_hint(data_path));
  std::string hex;
  in >> hex;
  const bool hex_ok =
      hex.size() == 64 && hex.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!hex_ok)
    throw DataFileError("'" + hash_path + "' holds no SHA-256: " + generate_hint(data_path));
  return hex;
}

void write_hash_file(const std::string& data_path, const std::string& sha256) {
  const std::string hash_path = hash_path_for(data_path);
  const std::string tmp = hash_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << sha256 << "  " << base_name(data_path) << "\n";
    out.flush();
    if (!out) throw DataFileError("cannot write '" + tmp + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, hash_path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw DataFileError("cannot write '" + hash_path + "': " + ec.message());
  }
}

}  // namespace lb
