#include "amanah/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace amanah {
namespace {

// An independent encoder (RFC 3629 §3), used as the reference. REQUIRES: a scalar value.
std::string Encode(int32_t cp) {
  std::string s;
  auto put = [&](int v) { s.push_back(static_cast<char>(v)); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | cp >> 6), put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | cp >> 12), put(0x80 | (cp >> 6 & 0x3F)), put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | cp >> 18), put(0x80 | (cp >> 12 & 0x3F)), put(0x80 | (cp >> 6 & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
  return s;
}

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto b = static_cast<uint8_t>(c);
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// Decodes all of `s`; {-1} appended if it stops on an invalid sequence.
std::vector<int32_t> DecodeAll(std::string_view s) {
  std::vector<int32_t> out;
  for (size_t i = 0; i < s.size();) {
    const size_t before = i;
    const int32_t cp = NextCodePoint(s, &i);
    out.push_back(cp);
    if (cp < 0) {
      EXPECT_EQ(i, before) << "the index must not move on an error";
      break;
    }
  }
  return out;
}

// Decodes exactly one code point from the whole of `s`: its value, or -1 if `s` is not the
// well-formed UTF-8 of exactly one scalar value.
int32_t DecodeOne(std::string_view s) {
  size_t i = 0;
  const int32_t cp = NextCodePoint(s, &i);
  return cp >= 0 && i == s.size() ? cp : -1;
}

void ExpectValid(std::string_view s, int32_t cp) {
  EXPECT_EQ(DecodeOne(s), cp) << Hex(s);
  EXPECT_TRUE(IsValidUtf8(s)) << Hex(s);
}

void ExpectInvalid(std::string_view s) {
  size_t i = 0;
  EXPECT_EQ(NextCodePoint(s, &i), -1) << Hex(s);
  EXPECT_EQ(i, 0u) << Hex(s);
  EXPECT_FALSE(IsValidUtf8(s)) << Hex(s);
  // Also after the 8-byte ASCII fast path, at both alignments.
  EXPECT_FALSE(IsValidUtf8("01234567" + std::string(s))) << Hex(s);
  EXPECT_FALSE(IsValidUtf8("0123456789" + std::string(s) + "abcdefgh")) << Hex(s);
}

TEST(Utf8, EmptyAndOutOfRangeIndex) {
  EXPECT_TRUE(IsValidUtf8(""));
  size_t i = 0;
  EXPECT_EQ(NextCodePoint("", &i), -1);
  EXPECT_EQ(i, 0u);
  i = 3;
  EXPECT_EQ(NextCodePoint("abc", &i), -1);
  EXPECT_EQ(i, 3u);
}

TEST(Utf8, BoundariesOfEachLength) {
  // U+0000 is a scalar value; the callers that refuse NUL do so themselves.
  ExpectValid(std::string_view("\0", 1), 0x0000);
  ExpectValid("\x7F", 0x007F);
  ExpectValid("\xC2\x80", 0x0080);
  ExpectValid("\xDF\xBF", 0x07FF);
  ExpectValid("\xE0\xA0\x80", 0x0800);
  ExpectValid("\xEF\xBF\xBF", 0xFFFF);
  ExpectValid("\xF0\x90\x80\x80", 0x10000);
  ExpectValid("\xF4\x8F\xBF\xBF", 0x10FFFF);
  EXPECT_EQ(kMaxCodePoint, 0x10FFFF);
}

TEST(Utf8, AboveMaxCodePoint) {
  ExpectInvalid("\xF4\x90\x80\x80");  // U+110000
  ExpectInvalid("\xF4\xBF\xBF\xBF");  // U+13FFFF
  ExpectInvalid("\xF5\x80\x80\x80");  // U+140000
  ExpectInvalid("\xF7\xBF\xBF\xBF");  // U+1FFFFF
  for (int lead = 0xF5; lead <= 0xFF; ++lead) {
    ExpectInvalid(std::string(1, static_cast<char>(lead)) + "\x80\x80\x80");
  }
  // The old 5- and 6-byte forms (RFC 2279).
  ExpectInvalid("\xF8\x88\x80\x80\x80");
  ExpectInvalid("\xFC\x84\x80\x80\x80\x80");
  ExpectInvalid("\xFE");
  ExpectInvalid("\xFF");
}

TEST(Utf8, Surrogates) {
  ExpectValid("\xED\x9F\xBF", 0xD7FF);
  ExpectInvalid("\xED\xA0\x80");  // U+D800, first high surrogate
  ExpectInvalid("\xED\xAF\xBF");  // U+DBFF, last high surrogate
  ExpectInvalid("\xED\xB0\x80");  // U+DC00, first low surrogate
  ExpectInvalid("\xED\xBF\xBF");  // U+DFFF, last low surrogate
  ExpectValid("\xEE\x80\x80", 0xE000);
  // Every surrogate, and a CESU-8 pair (U+1F600 as D83D DE00).
  for (int32_t cp = 0xD800; cp <= 0xDFFF; ++cp) ExpectInvalid(Encode(cp));
  ExpectInvalid("\xED\xA0\xBD\xED\xB8\x80");
}

TEST(Utf8, Overlongs) {
  ExpectInvalid("\xC0\x80");  // U+0000 in two bytes ("modified UTF-8")
  ExpectInvalid("\xC0\xAF");  // '/'
  ExpectInvalid("\xC1\xBF");  // U+007F
  for (int b = 0x80; b <= 0xBF; ++b) {
    ExpectInvalid(std::string("\xC0") + static_cast<char>(b));
    ExpectInvalid(std::string("\xC1") + static_cast<char>(b));
  }
  ExpectInvalid("\xE0\x80\x80");      // U+0000 in three bytes
  ExpectInvalid("\xE0\x80\xAF");      // '/'
  ExpectInvalid("\xE0\x9F\xBF");      // U+07FF in three bytes
  ExpectInvalid("\xF0\x80\x80\x80");  // U+0000 in four bytes
  ExpectInvalid("\xF0\x80\x80\xAF");  // '/'
  ExpectInvalid("\xF0\x8F\xBF\xBF");  // U+FFFF in four bytes
}

TEST(Utf8, Truncations) {
  for (std::string_view full : {"\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xEF\xBF\xBF",
                                "\xE2\x80\x8C", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    for (size_t n = 1; n < full.size(); ++n) {
      ExpectInvalid(full.substr(0, n));
      // Cut short by an ASCII byte or by the next lead byte.
      ExpectInvalid(std::string(full.substr(0, n)) + "a");
      ExpectInvalid(std::string(full.substr(0, n)) + std::string(full));
    }
  }
  // Half a BOM at the end of a longer text.
  EXPECT_FALSE(IsValidUtf8("name,phone\xEF\xBB"));
}

TEST(Utf8, StrayContinuationBytes) {
  for (int b = 0x80; b <= 0xBF; ++b) ExpectInvalid(std::string(1, static_cast<char>(b)));
  ExpectInvalid("\x80\x80");
  EXPECT_FALSE(IsValidUtf8("a\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC2\x80\x80"));          // one continuation too many
  EXPECT_FALSE(IsValidUtf8("\xEF\xBF\xBF\xBF"));      // one continuation too many
  EXPECT_FALSE(IsValidUtf8("\xF4\x8F\xBF\xBF\x80"));  // one continuation too many
  EXPECT_EQ(DecodeAll("a\xC2\x80\x80"), (std::vector<int32_t>{'a', 0x80, -1}));
}

TEST(Utf8, AdvancesByTheSequenceLength) {
  const std::string s = "a\xC2\x80\xE0\xA0\x80\xF0\x90\x80\x80z";
  size_t i = 0;
  EXPECT_EQ(NextCodePoint(s, &i), 'a');
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(NextCodePoint(s, &i), 0x80);
  EXPECT_EQ(i, 3u);
  EXPECT_EQ(NextCodePoint(s, &i), 0x800);
  EXPECT_EQ(i, 6u);
  EXPECT_EQ(NextCodePoint(s, &i), 0x10000);
  EXPECT_EQ(i, 10u);
  EXPECT_EQ(NextCodePoint(s, &i), 'z');
  EXPECT_EQ(i, 11u);
  EXPECT_EQ(NextCodePoint(s, &i), -1);
  EXPECT_EQ(i, 11u);
}

TEST(Utf8, ArabicText) {
  // محمد with harakat: meem damma, hah fatha, meem shadda fatha, dal.
  const std::string muhammad = "\xD9\x85\xD9\x8F\xD8\xAD\xD9\x8E\xD9\x85\xD9\x91\xD9\x8E\xD8\xAF";
  EXPECT_TRUE(IsValidUtf8(muhammad));
  EXPECT_EQ(DecodeAll(muhammad),
            (std::vector<int32_t>{0x0645, 0x064F, 0x062D, 0x064E, 0x0645, 0x0651, 0x064E, 0x062F}));
  // Tatweel (U+0640) stretching a word: كـتـاب.
  const std::string kitab = "\xD9\x83\xD9\x80\xD8\xAA\xD9\x80\xD8\xA7\xD8\xA8";
  EXPECT_EQ(DecodeAll(kitab),
            (std::vector<int32_t>{0x0643, 0x0640, 0x062A, 0x0640, 0x0627, 0x0628}));
  // ZWNJ (U+200C) inside a word, as in Persian می‌خواهم; and ZWJ (U+200D).
  const std::string mikhaham =
      "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85";
  EXPECT_EQ(DecodeAll(mikhaham),
            (std::vector<int32_t>{0x0645, 0x06CC, 0x200C, 0x062E, 0x0648, 0x0627, 0x0647, 0x0645}));
  EXPECT_EQ(DecodeAll("\xE2\x80\x8D"), (std::vector<int32_t>{0x200D}));
  // Arabic-Indic digits, kasra, sukun, tanween, and a mixed Arabic and Latin field with an
  // ASCII run long enough for the fast path.
  EXPECT_EQ(DecodeAll("\xD9\xA1\xD9\xA2\xD9\x90\xD9\x92\xD9\x8B"),
            (std::vector<int32_t>{0x0661, 0x0662, 0x0650, 0x0652, 0x064B}));
  EXPECT_TRUE(IsValidUtf8("Aleppo / " + muhammad + " / +963 912 345 678 / " + kitab));
  // Arabic cut inside a letter, or with a harakah's continuation byte alone.
  EXPECT_FALSE(IsValidUtf8(muhammad.substr(0, muhammad.size() - 1)));
  EXPECT_FALSE(IsValidUtf8(muhammad + "\x8E"));
  EXPECT_FALSE(IsValidUtf8("\xD9" + kitab));
}

TEST(Utf8, EveryScalarValueRoundTrips) {
  std::string all;
  for (int32_t cp = 0; cp <= kMaxCodePoint; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string s = Encode(cp);
    ASSERT_EQ(DecodeOne(s), cp) << Hex(s);
    if (cp % 97 == 0) all += s;
  }
  EXPECT_TRUE(IsValidUtf8(all));
}

// Every string of 1..3 bytes, and every 4-byte string whose last two bytes are near a
// boundary: a string is accepted exactly when it is the encoding of a sequence of scalar
// values, which NextCodePoint + Encode reproduce byte for byte.
TEST(Utf8, ExhaustiveAgainstReferenceEncoder) {
  size_t single[5] = {};  // strings of each length that are exactly one code point
  auto check = [&](std::string_view s) {
    std::string again;
    size_t i = 0;
    size_t points = 0;
    bool ok = true;
    while (i < s.size()) {
      const size_t before = i;
      const int32_t cp = NextCodePoint(s, &i);
      if (cp < 0) {
        ok = false;
        if (i != before) ADD_FAILURE() << "moved on error: " << Hex(s);
        break;
      }
      again += Encode(cp);
      ++points;
    }
    if (ok && again != s) ADD_FAILURE() << "not the shortest form: " << Hex(s);
    if (IsValidUtf8(s) != ok) ADD_FAILURE() << "IsValidUtf8 disagrees: " << Hex(s);
    if (ok && points == 1) ++single[s.size()];
  };
  const int near[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF};
  char s[4];
  for (int a = 0; a < 256; ++a) {
    s[0] = static_cast<char>(a);
    check({s, 1});
    for (int b = 0; b < 256; ++b) {
      s[1] = static_cast<char>(b);
      check({s, 2});
      if (a < 0x80) continue;  // ASCII then two bytes: covered by the 2-byte strings
      for (int c = 0; c < 256; ++c) {
        s[2] = static_cast<char>(c);
        check({s, 3});
      }
      if (a < 0xF0) continue;
      for (int c : near) {
        for (int d : near) {
          s[2] = static_cast<char>(c), s[3] = static_cast<char>(d);
          check({s, 4});
        }
      }
    }
  }
  EXPECT_EQ(single[1], 0x80u);                       // U+0000..U+007F
  EXPECT_EQ(single[2], 0x800u - 0x80u);              // U+0080..U+07FF
  EXPECT_EQ(single[3], 0x10000u - 0x800u - 0x800u);  // U+0800..U+FFFF minus surrogates
  // F0 90..BF, F1..F3 80..BF, F4 80..8F, each followed by the 6 x 6 continuation bytes in
  // `near`.
  EXPECT_EQ(single[4], (0x30u + 3 * 0x40u + 0x10u) * 36u);
}

}  // namespace
}  // namespace amanah
