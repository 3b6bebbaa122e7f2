#include "amanah/bytes.h"

#include <sodium.h>

#include "amanah/secret.h"

namespace amanah {

std::string ToHex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Bytes> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Malformed("hex string has odd length");
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Malformed("hex string has a non-hex character");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string ToBase64(ByteView bytes) {
  EnsureSodium();
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<Bytes> FromBase64(std::string_view b64) {
  EnsureSodium();
  if (b64.size() % 4 != 0) return Malformed("base64 length is not a multiple of 4");
  Bytes out(b64.size() / 4 * 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), b64.data(), b64.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != b64.data() + b64.size()) {
    return Malformed("not canonical base64");
  }
  out.resize(len);
  // libsodium accepts non-zero bits in the last symbol; canonical encodings have none.
  if (ToBase64(out) != b64) return Malformed("not canonical base64");
  return out;
}

ByteWriter& ByteWriter::U8(uint8_t v) {
  out_.push_back(v);
  return *this;
}
ByteWriter& ByteWriter::U16(uint16_t v) { return U8(v >> 8).U8(v & 0xff); }
ByteWriter& ByteWriter::U32(uint32_t v) { return U16(v >> 16).U16(v & 0xffff); }
ByteWriter& ByteWriter::U64(uint64_t v) { return U32(v >> 32).U32(v & 0xffffffff); }
ByteWriter& ByteWriter::Raw(ByteView b) {
  out_.insert(out_.end(), b.begin(), b.end());
  return *this;
}
ByteWriter& ByteWriter::LP(ByteView b) {
  assert(b.size() <= 0xffff);
  return U16(static_cast<uint16_t>(b.size())).Raw(b);
}

Result<ByteView> ByteReader::Raw(size_t n) {
  if (remaining() < n) return Malformed("truncated");
  ByteView v = in_.subspan(pos_, n);
  pos_ += n;
  return v;
}

Result<uint8_t> ByteReader::U8() {
  AMANAH_ASSIGN_OR_RETURN(ByteView v, Raw(1));
  return v[0];
}
Result<uint16_t> ByteReader::U16() {
  AMANAH_ASSIGN_OR_RETURN(ByteView v, Raw(2));
  return static_cast<uint16_t>(v[0] << 8 | v[1]);
}
Result<uint32_t> ByteReader::U32() {
  AMANAH_ASSIGN_OR_RETURN(ByteView v, Raw(4));
  return uint32_t{v[0]} << 24 | uint32_t{v[1]} << 16 | uint32_t{v[2]} << 8 | v[3];
}
Result<uint64_t> ByteReader::U64() {
  AMANAH_ASSIGN_OR_RETURN(uint32_t hi, U32());
  AMANAH_ASSIGN_OR_RETURN(uint32_t lo, U32());
  return uint64_t{hi} << 32 | lo;
}
Result<ByteView> ByteReader::LP() {
  AMANAH_ASSIGN_OR_RETURN(uint16_t n, U16());
  return Raw(n);
}
Status ByteReader::Finish() const {
  if (remaining() != 0) return Malformed("trailing bytes");
  return Status::Ok();
}

}  // namespace amanah
