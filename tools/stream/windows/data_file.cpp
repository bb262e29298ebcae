// Windows: the data file through C++ streams (tools/stream/data_file.hpp).
// The page cache is not ours to query or trim there: nothing like mincore,
// posix_fadvise or sync_file_range exists, so resident_fraction() reports
// -1 (unknown) and --drop-cache is refused (can_drop_file_cache).
#include <openssl/rand.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>

#include "tools/stream/data_file.hpp"
#include "tools/stream/hash_file.hpp"
#include "tools/stream/sha256.hpp"

namespace lb {
namespace {

constexpr std::size_t kPiece = 4 << 20;

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

GenerateReport generate_data_file(const std::string& data_path, std::uint64_t size, bool force,
                                  const std::function<void(std::uint64_t)>& progress) {
  namespace fs = std::filesystem;
  GenerateReport report;
  std::error_code ec;
  if (!force && fs::is_regular_file(data_path, ec) && fs::file_size(data_path, ec) == size) {
    try {
      report.sha256 = read_recorded_hash(data_path);
      report.skipped = true;
      return report;
    } catch (const DataFileError&) {
      // incomplete: generate again
    }
  }
  const std::string hash_path = hash_path_for(data_path);
  fs::remove(hash_path, ec);  // from here until the new one is written, incomplete
  if (ec) throw DataFileError("cannot remove '" + hash_path + "': " + ec.message());
  if (fs::exists(data_path, ec) && !fs::is_regular_file(data_path, ec))
    throw DataFileError("'" + data_path + "' exists and is not a regular file");
  const auto start = std::chrono::steady_clock::now();
  {
    std::ofstream out(data_path, std::ios::binary | std::ios::trunc);
    if (!out) throw DataFileError("cannot create '" + data_path + "'");
    Sha256 sha;
    std::vector<std::byte> piece(kPiece);
    std::uint64_t written = 0;
    while (written < size) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, size - written));
      if (RAND_bytes(reinterpret_cast<unsigned char*>(piece.data()), static_cast<int>(n)) != 1)
        throw DataFileError("the random generator failed");
      sha.update({piece.data(), n});
      out.write(reinterpret_cast<const char*>(piece.data()), static_cast<std::streamsize>(n));
      if (!out) {
        out.close();
        fs::remove(data_path, ec);
        throw DataFileError("cannot write '" + data_path + "' (disk full?)");
      }
      written += n;
      if (progress) progress(written);
    }
    out.flush();
    if (!out) throw DataFileError("cannot flush '" + data_path + "'");
    report.sha256 = sha.hex_digest();
    report.hash_seconds = sha.seconds();
  }
  write_hash_file(data_path, report.sha256);
  report.seconds = since(start);
  return report;
}

bool can_drop_file_cache() {
  return false;
}

DataFileReader::DataFileReader(const std::string& path) : path_(path) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  file_ = in;
  if (!exists || !*in)
    throw DataFileError("cannot open data file '" + path + "'" +
                        (exists ? "" : " (" + generate_hint(path) + ")"));
  size_ = std::filesystem::file_size(path, ec);
}

DataFileReader::~DataFileReader() = default;

double DataFileReader::resident_fraction() const {
  return -1;
}

void DataFileReader::drop_cache() {
  throw DataFileError(
      "--drop-cache: Windows offers no way to drop one file's pages from its cache");
}

std::size_t DataFileReader::read_next(std::span<std::byte> out) {
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset_));
  if (want == 0) return 0;
  const auto start = std::chrono::steady_clock::now();
  auto& in = *std::static_pointer_cast<std::ifstream>(file_);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(want));
  if (static_cast<std::size_t>(in.gcount()) != want)
    throw DataFileError("'" + path_ + "' shrank while being read");
  read_seconds_ += since(start);
  offset_ += want;
  return want;
}

}  // namespace lb
