#pragma once
// The verified-streaming data file (random bytes) and its hash file.
//
// The hash file sits beside the data (testdata.bin -> testdata.hash) in
// sha256sum's format, "HEX  NAME", so `sha256sum -c` checks it too. It is
// written last, so a data file without one is never taken as complete.
//
// Reading drops behind itself only the pages it brought into the page cache
// (checked with mincore before each piece): a cold 10 GiB run does not
// evict the machine's cache, and a warm run stays warm.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

#include "engine/unique_fd.hpp"

namespace lb {

// Missing, unreadable, unwritable or inconsistent files; the message says
// what to do.
struct DataFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string hash_path_for(const std::string& data_path);
// The hex SHA-256 recorded for `data_path`; throws DataFileError.
std::string read_recorded_hash(const std::string& data_path);

struct GenerateReport {
  bool skipped = false;  // both files were there and the size matched
  std::string sha256;
  double seconds = 0;
  double hash_seconds = 0;
};

// Writes `size` random bytes to `data_path` and then its hash file.
// `progress(bytes_written)` runs after each piece. Throws DataFileError
// (disk full, unwritable path) after removing the partial data file.
GenerateReport generate_data_file(const std::string& data_path, std::uint64_t size, bool force,
                                  const std::function<void(std::uint64_t)>& progress);

// Whether a program may drop one file's pages from the page cache here
// (Linux: posix_fadvise; Windows: no such call).
bool can_drop_file_cache();

// Sequential reads of a data file.
class DataFileReader {
 public:
  explicit DataFileReader(const std::string& path);  // throws DataFileError
  ~DataFileReader();
  DataFileReader(const DataFileReader&) = delete;
  DataFileReader& operator=(const DataFileReader&) = delete;

  std::uint64_t size() const { return size_; }
  // Share of the file's pages in the page cache now (0..1); -1 where the
  // system cannot say (Windows).
  double resident_fraction() const;
  // Asks the kernel to drop the file's clean pages from the cache;
  // DataFileError on Windows, which has no such call.
  void drop_cache();
  // Fills `out` from the current offset; returns the bytes read (0 at the end).
  std::size_t read_next(std::span<std::byte> out);
  double read_seconds() const { return read_seconds_; }

 private:
  std::string path_;
  UniqueFd fd_;
  std::uint64_t size_ = 0;
  std::uint64_t offset_ = 0;
  void* map_ = nullptr;         // for mincore only; never touched
  std::shared_ptr<void> file_;  // Windows: the std::ifstream read from
  double read_seconds_ = 0;
};

}  // namespace lb
