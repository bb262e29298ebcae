// Verified-streaming pieces on real files in a temporary directory: hash
// file names and format, SHA-256 against a known answer, generation (skip,
// force, failure leaves nothing), sequential reads, request targets.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "engine/buffer.hpp"
#include "tools/options/request_target.hpp"
#include "tools/stream/data_file.hpp"
#include "tools/stream/sha256.hpp"

namespace lb {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/lb-stream-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path).c_str()); }
};

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::string file_hash(const std::string& path) {
  DataFileReader reader(path);
  Sha256 sha;
  Bytes buf(1 << 20);
  while (const auto n = reader.read_next(buf))
    sha.update({buf.data(), n});
  return sha.hex_digest();
}

}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180-2 example, fed whole or in pieces") {
  Sha256 sha;
  sha.update(as_bytes("abc"));
  CHECK(sha.hex_digest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (std::size_t i = 0; i < text.size(); ++i) {
    sha.update(as_bytes(std::string_view(text).substr(i, 1)));
  }
  CHECK(sha.hex_digest() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("the hash file sits beside the data file") {
  CHECK(hash_path_for("testdata.bin") == "testdata.hash");
  CHECK(hash_path_for("/d/x.y/data") == "/d/x.y/data.hash");
  CHECK(hash_path_for("/d/.hidden") == "/d/.hidden.hash");
  CHECK(hash_path_for("a.tar.gz") == "a.tar.hash");
}

TEST_CASE("generate writes the data, then a sha256sum-style hash; skips or forces") {
  TempDir dir;
  const std::string data = dir.path + "/testdata.bin";
  const auto first = generate_data_file(data, (5 << 20) + 123, false, nullptr);
  CHECK_FALSE(first.skipped);
  CHECK(read_recorded_hash(data) == first.sha256);
  CHECK(file_hash(data) == first.sha256);
  std::ifstream in(dir.path + "/testdata.hash");
  std::string line;
  std::getline(in, line);
  CHECK(line == first.sha256 + "  testdata.bin");
  CHECK(std::system(("cd " + dir.path + " && sha256sum -c --status testdata.hash").c_str()) == 0);

  CHECK(generate_data_file(data, (5 << 20) + 123, false, nullptr).skipped);
  const auto other_size = generate_data_file(data, 1 << 20, false, nullptr);
  CHECK_FALSE(other_size.skipped);
  const auto forced = generate_data_file(data, 1 << 20, true, nullptr);
  CHECK_FALSE(forced.skipped);
  CHECK(forced.sha256 != other_size.sha256);  // fresh random bytes
  CHECK(read_recorded_hash(data) == forced.sha256);
}

TEST_CASE("a failed generation leaves no data file and no hash file") {
  TempDir dir;
  CHECK_THROWS_AS(generate_data_file(dir.path + "/no/such/dir/x.bin", 1024, false, nullptr),
                  DataFileError);
  CHECK_THROWS_WITH_AS(generate_data_file("/dev/null", 1024, false, nullptr),
                       doctest::Contains("not a regular file"), DataFileError);
  CHECK(exists("/dev/null"));
  // Too big for any disk: refused when the space is reserved.
  const std::string huge = dir.path + "/huge.bin";
  CHECK_THROWS_AS(generate_data_file(huge, 1ull << 60, false, nullptr), DataFileError);
  CHECK_FALSE(exists(huge));
  CHECK_FALSE(exists(dir.path + "/huge.hash"));
}

TEST_CASE("missing files say to run generate") {
  TempDir dir;
  const std::string data = dir.path + "/d.bin";
  CHECK_THROWS_WITH_AS(DataFileReader{data}, doctest::Contains("bench stream generate"),
                       DataFileError);
  std::ofstream(data) << "x";
  CHECK_THROWS_WITH_AS(read_recorded_hash(data), doctest::Contains("bench stream generate"),
                       DataFileError);
  std::ofstream(dir.path + "/d.hash") << "not a hash\n";
  CHECK_THROWS_WITH_AS(read_recorded_hash(data), doctest::Contains("holds no SHA-256"),
                       DataFileError);
}

TEST_CASE("request targets split into path and query") {
  const auto t = split_target("/stream?test=upload&drop_cache=1&flag");
  CHECK(t.path == "/stream");
  REQUIRE(t.query.size() == 3);
  CHECK(t.query[0] == std::pair<std::string, std::string>{"test", "upload"});
  CHECK(t.query[1].second == "1");
  CHECK(t.query[2] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(split_target("/ws").query.empty());
}

}  // namespace lb
