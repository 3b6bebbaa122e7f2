// Byte strings and the encodings of docs/spec.md §1: hex, base64, big-endian integers
// (I2OSP) and length-prefixed fields, with a writer and a strict reader.
//
// Thread safety: values; no shared state.
#ifndef AMANAH_BYTES_H_
#define AMANAH_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "amanah/status.h"

namespace amanah {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string AsString(ByteView b) { return {b.begin(), b.end()}; }

std::string ToHex(ByteView bytes);  // lower case
// Accepts upper or lower case; rejects odd length and non-hex characters.
Result<Bytes> FromHex(std::string_view hex);

std::string ToBase64(ByteView bytes);  // RFC 4648 §4, padded
// Strict RFC 4648 §4: padding required, no whitespace, non-zero trailing bits rejected.
Result<Bytes> FromBase64(std::string_view b64);

// Builds byte strings in the spec's notation: I2OSP(x, n) is big-endian, LP(x) is
// I2OSP(len(x), 2) ‖ x.
class ByteWriter {
 public:
  ByteWriter() = default;
  // Room for `reserve` bytes up front: a writer that knows its size allocates once, instead of
  // growing the buffer (and copying it) several times.
  explicit ByteWriter(size_t reserve) { out_.reserve(reserve); }

  ByteWriter& U8(uint8_t v);
  ByteWriter& U16(uint16_t v);
  ByteWriter& U32(uint32_t v);
  ByteWriter& U64(uint64_t v);
  ByteWriter& Raw(ByteView b);
  ByteWriter& Raw(std::string_view s) { return Raw(AsBytes(s)); }
  // REQUIRES: b.size() <= 65535
  ByteWriter& LP(ByteView b);
  ByteWriter& LP(std::string_view s) { return LP(AsBytes(s)); }

  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Reads the same notation back. Every read fails with kMalformed on truncation; Finish()
// fails if bytes are left over (trailing garbage is never ignored).
class ByteReader {
 public:
  explicit ByteReader(ByteView in) : in_(in) {}

  Result<uint8_t> U8();
  Result<uint16_t> U16();
  Result<uint32_t> U32();
  Result<uint64_t> U64();
  Result<ByteView> Raw(size_t n);
  Result<ByteView> LP();
  size_t remaining() const { return in_.size() - pos_; }
  Status Finish() const;

 private:
  ByteView in_;
  size_t pos_ = 0;
};

}  // namespace amanah

#endif  // AMANAH_BYTES_H_
