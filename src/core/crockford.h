// Crockford base32 (https://www.crockford.com/base32.html), shared by pseudonym IDs
// (docs/spec.md §2) and key fingerprints (docs/spec.md §3.3). Internal to the core library.
//
// Thread safety: pure functions; no shared state.
#ifndef AMANAH_SRC_CORE_CROCKFORD_H_
#define AMANAH_SRC_CORE_CROCKFORD_H_

#include <string_view>

namespace amanah::crockford {

// The 32 data symbols, value 0..31, then the five check-only symbols for 32..36.
// Encoded on the wire: do not change.
inline constexpr std::string_view kSymbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";

// The value of one data symbol, decoding as Crockford says: case-insensitive, O/o as 0,
// I/i/L/l as 1. Returns -1 for anything else (including U/u and the check-only symbols).
int DataValue(char c);

// The value (0..36) of a check symbol: a data symbol or one of *~$=U (u). -1 otherwise.
int CheckValue(char c);

}  // namespace amanah::crockford

#endif  // AMANAH_SRC_CORE_CROCKFORD_H_
