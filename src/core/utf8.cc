#include "amanah/utf8.h"

#include <cstring>

namespace amanah {

int32_t NextCodePoint(std::string_view s, size_t* i) {
  if (*i >= s.size()) return -1;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + *i;
  const size_t left = s.size() - *i;
  const uint8_t c = p[0];
  if (c < 0x80) {
    ++*i;
    return c;
  }
  // Unicode §3.9 table 3-7: the lead byte fixes the length, the payload bits it carries, and
  // the range of the second byte (which is what excludes overlongs, surrogates and values
  // above U+10FFFF).
  size_t len;
  int32_t cp;
  uint8_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;  // overlong: below U+0800
    if (c == 0xED) hi = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;  // overlong: below U+10000
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return -1;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (left < len) return -1;  // truncated
  if (p[1] < lo || p[1] > hi) return -1;
  cp = cp << 6 | (p[1] & 0x3F);
  for (size_t k = 2; k < len; ++k) {
    if (p[k] < 0x80 || p[k] > 0xBF) return -1;
    cp = cp << 6 | (p[k] & 0x3F);
  }
  *i += len;
  return cp;
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // ASCII runs, 8 bytes at a time: most of an imported list is ASCII digits and separators.
    while (n - i >= 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i == n) break;
    if (NextCodePoint(s, &i) < 0) return false;
  }
  return true;
}

}  // namespace amanah
