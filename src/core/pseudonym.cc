#include "amanah/pseudonym.h"

#include "crockford.h"

namespace amanah {
namespace {

constexpr int kDataSymbols = 10;                      // docs/spec.md §2.2: 10 × 5 bits = 50 bits
constexpr std::string_view kQrPrefix = "AMANAH:ID:";  // encoded on the wire: do not change

}  // namespace

Pseudonym Pseudonym::Generate(RandomSource& rng) {
  // docs/spec.md §2.1
  std::array<uint8_t, 8> r;
  rng.Fill(r);
  uint64_t v = 0;
  for (uint8_t b : r) v = v << 8 | b;
  return Pseudonym(v & (kLimit - 1));
}

Result<Pseudonym> Pseudonym::FromValue(uint64_t value) {
  if (value >= kLimit) return InvalidArgument("pseudonym value out of range");
  return Pseudonym(value);
}

std::string Pseudonym::ToString() const {
  // docs/spec.md §2.2: symbols most significant first, check = value mod 37, groups 4-4-3.
  std::string s;
  for (int i = kDataSymbols - 1; i >= 0; --i) {
    s.push_back(crockford::kSymbols[(value_ >> (5 * i)) & 31]);
    if (s.size() == 4 || s.size() == 9) s.push_back('-');
  }
  s.push_back(crockford::kSymbols[value_ % 37]);
  return s;
}

Result<Pseudonym> Pseudonym::Parse(std::string_view text) {
  // docs/spec.md §2.3
  uint64_t v = 0;
  int data = 0;
  int check = -1;
  for (char c : text) {
    if (c == '-') continue;
    if (check >= 0) return Malformed("pseudonym has too many symbols");
    if (data < kDataSymbols) {
      int d = crockford::DataValue(c);
      if (d < 0) return Malformed("pseudonym has a character that is not a symbol");
      v = v << 5 | static_cast<uint64_t>(d);
      ++data;
    } else {
      check = crockford::CheckValue(c);
      if (check < 0) return Malformed("pseudonym has a character that is not a check symbol");
    }
  }
  if (check < 0) return Malformed("pseudonym has too few symbols");
  if (v % 37 != static_cast<uint64_t>(check)) return Malformed("check symbol does not match");
  return Pseudonym(v);
}

std::array<uint8_t, 8> Pseudonym::RecordId() const {
  std::array<uint8_t, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(value_ >> (8 * (7 - i)));
  return out;
}

std::string Pseudonym::QrPayload() const { return std::string(kQrPrefix) + ToString(); }

Result<Pseudonym> Pseudonym::ParseQrPayload(std::string_view payload) {
  // docs/spec.md §2.4: byte-exact; no aliases, no lower case, hyphens where they belong.
  if (!payload.starts_with(kQrPrefix)) return Malformed("not an Amanah ID QR payload");
  AMANAH_ASSIGN_OR_RETURN(Pseudonym p, Parse(payload.substr(kQrPrefix.size())));
  if (p.QrPayload() != payload) return Malformed("QR payload is not canonical");
  return p;
}

}  // namespace amanah
