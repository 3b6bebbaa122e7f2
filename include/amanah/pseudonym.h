// Pseudonym IDs (docs/spec.md §2): the random name under which a person stands on every
// list. A pseudonym is a 50-bit random value, never derived from the person and never
// sequential, written as 10 Crockford base32 symbols plus Crockford's mod-37 check symbol in
// groups of 4-4-3 ("DXGN-Q2EJ-8QK"). Parsing accepts what a person types from a card (lower
// case, O for 0, I or L for 1, hyphens anywhere or nowhere) and rejects every single-symbol
// typo and every swap of two neighbouring symbols. The card's QR code carries QrPayload().
//
// A Pseudonym is always valid: it is built only through Generate, FromValue, Parse or
// ParseQrPayload.
//
// Thread safety: an immutable value; safe to share between threads.
#ifndef AMANAH_PSEUDONYM_H_
#define AMANAH_PSEUDONYM_H_

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "amanah/random.h"
#include "amanah/status.h"

namespace amanah {

class Pseudonym {
 public:
  // docs/spec.md §2.1: value = the 8 drawn bytes as a big-endian integer, mod 2^50.
  static constexpr uint64_t kLimit = uint64_t{1} << 50;

  // A fresh random pseudonym (draws 8 bytes from `rng`).
  // The ID of value 0 ("0000-0000-000"), so that Pseudonym can sit in value structs and
  // containers. A registry never relies on it meaning anything.
  Pseudonym() = default;

  static Pseudonym Generate(RandomSource& rng = SystemRng());
  // kInvalidArgument if value >= 2^50.
  static Result<Pseudonym> FromValue(uint64_t value);
  // docs/spec.md §2.3. kMalformed for anything that is not an ID; a well-formed ID whose
  // check symbol disagrees is kMalformed with the message "check symbol does not match".
  static Result<Pseudonym> Parse(std::string_view text);
  // docs/spec.md §2.4. Strict: exactly QrPayload() of some ID, else kMalformed.
  static Result<Pseudonym> ParseQrPayload(std::string_view payload);

  uint64_t value() const { return value_; }
  // docs/spec.md §2.2: canonical text, "DXGN-Q2EJ-8QK".
  std::string ToString() const;
  // docs/spec.md §2.5: I2OSP(value, 8), the record id bound into sealed records.
  std::array<uint8_t, 8> RecordId() const;
  // docs/spec.md §2.4: "AMANAH:ID:" ‖ canonical text.
  std::string QrPayload() const;

  auto operator<=>(const Pseudonym&) const = default;

 private:
  explicit Pseudonym(uint64_t value) : value_(value) {}
  uint64_t value_ = 0;
};

}  // namespace amanah

#endif  // AMANAH_PSEUDONYM_H_
