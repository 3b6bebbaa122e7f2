// UTF-8 decoding: the one strict decoder of the core library.
//
// Every piece of text Amanah accepts (key labels, the registry name, record attribute values,
// registry text fields, imported CSV fields) is first checked here for well-formed UTF-8 as
// RFC 3629 and Unicode §3.9 (table 3-7) define it: shortest form only (no overlong
// sequences: C0, C1, E0 80..9F, F0 80..8F), no UTF-16 surrogates (U+D800..U+DFFF, i.e.
// ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF), no truncated sequence and no stray
// continuation byte. U+0000 is a valid scalar value and is accepted.
//
// This module knows nothing about which code points a caller allows. The callers' own rules
// (control characters, bidi controls, leading or trailing spaces, byte lengths, NUL in CSV
// fields) stay with the callers, which decode with NextCodePoint() and then judge each code
// point.
//
// Thread safety: the functions are pure; they read only their arguments and may be called
// from any number of threads at once.
#ifndef AMANAH_UTF8_H_
#define AMANAH_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace amanah {

// The largest Unicode scalar value.
inline constexpr int32_t kMaxCodePoint = 0x10FFFF;

// Decodes the code point that starts at byte `*i` of `s` and advances `*i` past it (by 1..4
// bytes). Returns -1, leaving `*i` unchanged, if the bytes at `*i` are not the well-formed
// UTF-8 of one scalar value (see above), or if `*i >= s.size()`.
//
//   for (size_t i = 0; i < s.size();) {
//     int32_t cp = NextCodePoint(s, &i);
//     if (cp < 0) return false;  // not UTF-8
//     ...
//   }
int32_t NextCodePoint(std::string_view s, size_t* i);

// True if all of `s` is well-formed UTF-8 (the empty string is). Fast on ASCII runs.
bool IsValidUtf8(std::string_view s);

}  // namespace amanah

#endif  // AMANAH_UTF8_H_
