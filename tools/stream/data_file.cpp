#include "tools/stream/data_file.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "tools/stream/hash_file.hpp"
#include "tools/stream/sha256.hpp"

namespace lb {
namespace {

constexpr std::size_t kPiece = 4 << 20;

std::string errno_text(int err) {
  return std::strerror(err);
}

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return UINT64_MAX;
  return static_cast<std::uint64_t>(st.st_size);
}

void write_all(int fd, const std::byte* data, std::size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw DataFileError("cannot write '" + path + "': " + errno_text(errno));
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Removes the data file unless release() was called: a failed generation
// leaves nothing behind that could be mistaken for a data file.
struct RemoveUnlessKept {
  std::string path;
  bool keep = false;
  ~RemoveUnlessKept() {
    if (!keep) ::unlink(path.c_str());
  }
};

}  // namespace

GenerateReport generate_data_file(const std::string& data_path, std::uint64_t size, bool force,
                                  const std::function<void(std::uint64_t)>& progress) {
  GenerateReport report;
  const std::string hash_path = hash_path_for(data_path);
  if (!force && file_size(data_path) == size) {
    try {
      report.sha256 = read_recorded_hash(data_path);
      report.skipped = true;
      return report;
    } catch (const DataFileError&) {
      // incomplete: generate again
    }
  }
  // The old hash goes first: from here until the new one is written, the
  // data file is not complete.
  if (::unlink(hash_path.c_str()) != 0 && errno != ENOENT)
    throw DataFileError("cannot remove '" + hash_path + "': " + errno_text(errno));
  struct stat st {};
  if (::stat(data_path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw DataFileError("'" + data_path + "' exists and is not a regular file");
  UniqueFd fd(::open(data_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) throw DataFileError("cannot create '" + data_path + "': " + errno_text(errno));
  RemoveUnlessKept cleanup{data_path};
  // Reserve the space up front: a full disk fails here, not gigabytes in.
  if (::fallocate(fd.get(), 0, 0, static_cast<off_t>(size)) != 0 && errno != EOPNOTSUPP)
    throw DataFileError("cannot reserve " + std::to_string(size) + " bytes for '" + data_path +
                        "': " + errno_text(errno));

  const auto start = std::chrono::steady_clock::now();
  Sha256 sha;
  std::vector<std::byte> piece(kPiece);
  std::uint64_t written = 0;
  while (written < size) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, size - written));
    if (RAND_bytes(reinterpret_cast<unsigned char*>(piece.data()), static_cast<int>(n)) != 1)
      throw DataFileError("the random generator failed");
    sha.update({piece.data(), n});
    write_all(fd.get(), piece.data(), n, data_path);
    // Written pages go to disk and leave the cache behind us, so a large
    // file does not push the machine's cache out (and writes report the
    // disk's speed, not memory's).
    if (written >= kPiece) {
      const auto prev = static_cast<off_t>(written - kPiece);
      ::sync_file_range(
          fd.get(), prev, kPiece,
          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
      ::posix_fadvise(fd.get(), prev, kPiece, POSIX_FADV_DONTNEED);
    }
    written += n;
    if (progress) progress(written);
  }
  if (::fsync(fd.get()) != 0)
    throw DataFileError("cannot flush '" + data_path + "': " + errno_text(errno));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
  report.sha256 = sha.hex_digest();
  report.hash_seconds = sha.seconds();

  write_hash_file(data_path, report.sha256);
  cleanup.keep = true;
  report.seconds = since(start);
  return report;
}

bool can_drop_file_cache() {
  return true;
}

DataFileReader::DataFileReader(const std::string& path) : path_(path) {
  fd_ = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd_)
    throw DataFileError("cannot open data file '" + path + "': " + errno_text(errno) +
                        (errno == ENOENT ? " (" + generate_hint(path) + ")" : ""));
  struct stat st {};
  ::fstat(fd_.get(), &st);
  size_ = static_cast<std::uint64_t>(st.st_size);
  if (size_ > 0) {
    map_ = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_.get(), 0);
    if (map_ == MAP_FAILED) map_ = nullptr;
  }
  ::posix_fadvise(fd_.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
}

DataFileReader::~DataFileReader() {
  if (map_) ::munmap(map_, size_);
}

namespace {

// Pages of [offset, offset + len) in the page cache.
std::uint64_t resident_pages(void* map, std::uint64_t offset, std::uint64_t len) {
  if (!map || len == 0) return 0;
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t first = offset / page, last = (offset + len + page - 1) / page;
  std::vector<unsigned char> vec(last - first);
  if (::mincore(static_cast<char*>(map) + first * page, (last - first) * page, vec.data()) != 0)
    return 0;
  std::uint64_t n = 0;
  for (auto v : vec)
    n += v & 1;
  return n;
}

}  // namespace

double DataFileReader::resident_fraction() const {
  if (size_ == 0) return 1;
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return static_cast<double>(resident_pages(map_, 0, size_)) /
         static_cast<double>((size_ + page - 1) / page);
}

void DataFileReader::drop_cache() {
  ::posix_fadvise(fd_.get(), 0, 0, POSIX_FADV_DONTNEED);
}

std::size_t DataFileReader::read_next(std::span<std::byte> out) {
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset_));
  if (want == 0) return 0;
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const bool was_cached = resident_pages(map_, offset_, want) == (want + page - 1) / page;
  const auto start = std::chrono::steady_clock::now();
  std::size_t done = 0;
  while (done < want) {
    const ssize_t r =
        ::pread(fd_.get(), out.data() + done, want - done, static_cast<off_t>(offset_ + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw DataFileError("cannot read '" + path_ + "': " + errno_text(errno));
    if (r == 0) throw DataFileError("'" + path_ + "' shrank while being read");
    done += static_cast<std::size_t>(r);
  }
  read_seconds_ += since(start);
  if (!was_cached)
    ::posix_fadvise(fd_.get(), static_cast<off_t>(offset_), static_cast<off_t>(want),
                    POSIX_FADV_DONTNEED);
  offset_ += want;
  return want;
}

}  // namespace lb
