#include "amanah/csv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace amanah {
namespace {

// The fixtures sit in tests/data/csv, two levels above this file (src/core/).
const std::filesystem::path kFixtures =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "tests" / "data" /
    "csv";

std::string ReadFixture(const std::string& name) {
  std::ifstream in(kFixtures / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Everything a parse produces, so that two parses can be compared whole.
struct Outcome {
  Status status;
  std::vector<CsvRecord> records;
  uint64_t error_line = 0;
  size_t error_field = 0;
  char delimiter = 0;
};

// Feeds `data` in chunks of `chunk` bytes, draining after every chunk as a streaming caller
// would.
Outcome ParseChunked(std::string_view data, CsvOptions options, size_t chunk) {
  Outcome out;
  auto reader = CsvReader::Create(options);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  CsvRecord r;
  for (size_t i = 0; i < data.size() && out.status.ok(); i += chunk) {
    out.status = reader->Feed(AsBytes(data.substr(i, chunk)));
    while (reader->Next(r)) out.records.push_back(r);
  }
  if (out.status.ok()) out.status = reader->Finish();
  while (reader->Next(r)) out.records.push_back(r);
  out.error_line = reader->error_line();
  out.error_field = reader->error_field();
  out.delimiter = reader->delimiter();
  if (!out.status.ok()) out.records.clear();  // a failed import keeps nothing
  return out;
}

Outcome ParseWhole(std::string_view data, CsvOptions options = {}) {
  return ParseChunked(data, options, std::max<size_t>(data.size(), 1));
}

// Feeds `data` split in two at `at`.
Outcome ParseSplit(std::string_view data, CsvOptions options, size_t at) {
  Outcome out;
  auto reader = CsvReader::Create(options);
  CsvRecord r;
  out.status = reader->Feed(AsBytes(data.substr(0, at)));
  while (reader->Next(r)) out.records.push_back(r);
  if (out.status.ok()) out.status = reader->Feed(AsBytes(data.substr(at)));
  while (reader->Next(r)) out.records.push_back(r);
  if (out.status.ok()) out.status = reader->Finish();
  while (reader->Next(r)) out.records.push_back(r);
  out.error_line = reader->error_line();
  out.error_field = reader->error_field();
  out.delimiter = reader->delimiter();
  if (!out.status.ok()) out.records.clear();  // a failed import keeps nothing
  return out;
}

void ExpectSameOutcome(const Outcome& a, const Outcome& b, const std::string& what) {
  EXPECT_EQ(a.status.ToString(), b.status.ToString()) << what;
  EXPECT_EQ(a.records, b.records) << what;
  EXPECT_EQ(a.error_line, b.error_line) << what;
  EXPECT_EQ(a.error_field, b.error_field) << what;
  EXPECT_EQ(a.delimiter, b.delimiter) << what;
}

using Fields = std::vector<std::string>;

std::vector<Fields> FieldsOf(const std::vector<CsvRecord>& records) {
  std::vector<Fields> out;
  for (const auto& r : records) out.push_back(r.fields);
  return out;
}
std::vector<uint64_t> LinesOf(const std::vector<CsvRecord>& records) {
  std::vector<uint64_t> out;
  for (const auto& r : records) out.push_back(r.line);
  return out;
}

// --- Dialect -------------------------------------------------------------------------------

TEST(CsvReader, ParsesPlainRecordsWithLineNumbers) {
  Outcome o = ParseWhole("a,b,c\n1,2,3\n4,5,6\n");
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(FieldsOf(o.records),
            (std::vector<Fields>{{"a", "b", "c"}, {"1", "2", "3"}, {"4", "5", "6"}}));
  EXPECT_EQ(LinesOf(o.records), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(CsvReader, CrlfLfAndMixedLineEndsGiveTheSameRecords) {
  Outcome lf = ParseWhole("a,b\n1,2\n");
  Outcome crlf = ParseWhole("a,b\r\n1,2\r\n");
  Outcome mixed = ParseWhole("a,b\r\n1,2\n");
  ASSERT_TRUE(lf.status.ok() && crlf.status.ok() && mixed.status.ok());
  EXPECT_EQ(FieldsOf(lf.records), (std::vector<Fields>{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(lf.records, crlf.records);
  EXPECT_EQ(lf.records, mixed.records);
}

TEST(CsvReader, FinalLineWithoutNewline) {
  Outcome o = ParseWhole("a,b\n1,2");
  ASSERT_TRUE(o.status.ok());
  EXPECT_EQ(FieldsOf(o.records), (std::vector<Fields>{{"a", "b"}, {"1", "2"}}));
  Outcome trailing_delim = ParseWhole("a,b\n1,");
  ASSERT_TRUE(trailing_delim.status.ok());
  EXPECT_EQ(trailing_delim.records[1].fields, (Fields{"1", ""}));
  Outcome quoted_last = ParseWhole("a,b\n1,\"x\"");
  ASSERT_TRUE(quoted_last.status.ok());
  EXPECT_EQ(quoted_last.records[1].fields, (Fields{"1", "x"}));
}

TEST(CsvReader, QuotedFieldsKeepDelimitersQuotesAndNewlines) {
  Outcome o = ParseWhole("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"l1\r\nl2\nl3\",\"\"\n");
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(FieldsOf(o.records),
            (std::vector<Fields>{{"a", "b"}, {"x, y", "say \"hi\""}, {"l1\r\nl2\nl3", ""}}));
}

TEST(CsvReader, QuotedNewlinesKeepLaterLineNumbersRight) {
  Outcome o = ParseWhole(ReadFixture("quoted_newlines.csv"));
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(FieldsOf(o.records), (std::vector<Fields>{{"full_name", "notes"},
                                                      {"a", "one\ntwo\nthree"},
                                                      {"b", "x"},
                                                      {"c\r\nd", ""},
                                                      {"e", "\"quoted\""}}));
  // "a" spans lines 2-4, an empty line 6 is skipped, "c\r\nd" spans 7-8.
  EXPECT_EQ(LinesOf(o.records), (std::vector<uint64_t>{1, 2, 5, 7, 9}));
}

TEST(CsvReader, EmptyLinesAreSkippedButCounted) {
  Outcome o = ParseWhole("\n\r\nh\n\n\r\nx\n\n");
  ASSERT_TRUE(o.status.ok());
  EXPECT_EQ(FieldsOf(o.records), (std::vector<Fields>{{"h"}, {"x"}}));
  EXPECT_EQ(LinesOf(o.records), (std::vector<uint64_t>{3, 6}));
  // A quoted empty field is a record, not an empty line.
  Outcome q = ParseWhole("h\n\"\"\n");
  ASSERT_TRUE(q.status.ok());
  EXPECT_EQ(FieldsOf(q.records), (std::vector<Fields>{{"h"}, {""}}));
  EXPECT_TRUE(ParseWhole("").records.empty());
  EXPECT_TRUE(ParseWhole("\n\r\n\n").records.empty());
}

TEST(CsvReader, AllEmptyRowsAreRecords) {
  Outcome o = ParseWhole(ReadFixture("spreadsheet_blank_lines.csv"));
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  ASSERT_EQ(o.records.size(), 4u);
  EXPECT_EQ(o.records[1].fields, (Fields{"Amal", "Saleh", "west", "", ""}));
  EXPECT_EQ(o.records[2].line, 4u);
  EXPECT_TRUE(o.records[2].AllFieldsEmpty());
  EXPECT_FALSE(o.records[1].AllFieldsEmpty());
  EXPECT_EQ(o.records[3].line, 7u);
  EXPECT_EQ(o.records[3].fields[1], " Omar ");  // whitespace is data
}

TEST(CsvReader, WhitespaceOutsideQuotesIsData) {
  Outcome o = ParseWhole(" a , b\t,\tc \r\n");
  ASSERT_TRUE(o.status.ok());
  EXPECT_EQ(o.records[0].fields, (Fields{" a ", " b\t", "\tc "}));
}

TEST(CsvReader, CrInsideQuotesIsData) {
  Outcome o = ParseWhole("\"a\rb\",\"c\r\"\r\n");
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(o.records[0].fields, (Fields{"a\rb", "c\r"}));
}

TEST(CsvReader, BomIsStrippedOnlyAtTheVeryStart) {
  Outcome with = ParseWhole("\xEF\xBB\xBFname,x\n1,2\n");
  Outcome without = ParseWhole("name,x\n1,2\n");
  ASSERT_TRUE(with.status.ok());
  EXPECT_EQ(with.records, without.records);
  EXPECT_EQ(with.records[0].fields[0], "name");
  // A second BOM, or one later in the file, is U+FEFF in the data.
  Outcome twice = ParseWhole("\xEF\xBB\xBF\xEF\xBB\xBFname\n\xEF\xBB\xBFx\n");
  ASSERT_TRUE(twice.status.ok());
  EXPECT_EQ(twice.records[0].fields[0], "\xEF\xBB\xBFname");
  EXPECT_EQ(twice.records[1].fields[0], "\xEF\xBB\xBFx");
  EXPECT_TRUE(ParseWhole("\xEF\xBB\xBF").records.empty());
  EXPECT_EQ(ParseWhole("ab").records[0].fields, (Fields{"ab"}));  // shorter than a BOM
  // Half a BOM is truncated UTF-8.
  Outcome half = ParseWhole("\xEF\xBB");
  EXPECT_EQ(half.status.code(), Code::kMalformed);
  EXPECT_EQ(half.error_line, 1u);
}

TEST(CsvReader, ArabicFixturesRoundTripByteExact) {
  const std::vector<Fields> expected = {
      {"الاسم الكامل", "سنة الميلاد", "المهنة", "المنطقة", "ملاحظات"},
      {"مُحَمَّد عبد الله", "1984", "طبيب", "حي الشيخ", "يحتاج\u200cإلى دواء"},
      {"فاطمـــة الزهراء", "1990", "صحفية", "المنطقة، الشرقية", "قالت: \"نعم\", ثم غادرت"},
      {"عَليّ بن أبي", "1975", "مسعف", "", "سطر أول\r\nسطر ثانٍ"},
  };
  for (const char* name : {"arabic_bom_crlf.csv", "arabic_lf_no_bom.csv"}) {
    Outcome o = ParseWhole(ReadFixture(name));
    ASSERT_TRUE(o.status.ok()) << name << ": " << o.status.ToString();
    EXPECT_EQ(FieldsOf(o.records), expected) << name;
    EXPECT_EQ(LinesOf(o.records), (std::vector<uint64_t>{1, 2, 3, 4})) << name;
  }
  // Harakat, tatweel and ZWNJ survive byte for byte.
  Outcome o = ParseWhole(ReadFixture("arabic_bom_crlf.csv"));
  EXPECT_EQ(ToHex(AsBytes(o.records[1].fields[0])).substr(0, 16), "d985d98fd8add98e");
  EXPECT_NE(o.records[2].fields[0].find("\xD9\x80"), std::string::npos);      // tatweel
  EXPECT_NE(o.records[1].fields[4].find("\xE2\x80\x8C"), std::string::npos);  // ZWNJ
}

TEST(CsvReader, DelimiterOption) {
  CsvOptions semi;
  semi.delimiter = ';';
  Outcome o = ParseWhole("a;b,c\n\"1;2\";3\n", semi);
  ASSERT_TRUE(o.status.ok());
  EXPECT_EQ(FieldsOf(o.records), (std::vector<Fields>{{"a", "b,c"}, {"1;2", "3"}}));
  CsvOptions tab;
  tab.delimiter = '\t';
  Outcome t = ParseWhole("a\tb\n1 2\t3\n", tab);
  ASSERT_TRUE(t.status.ok());
  EXPECT_EQ(t.records[1].fields, (Fields{"1 2", "3"}));
}

TEST(CsvReader, RejectsBadOptions) {
  for (char d : {'"', '\r', '\n', '\0', '\xC3'}) {
    CsvOptions o;
    o.delimiter = d;
    EXPECT_EQ(CsvReader::Create(o).status().code(), Code::kInvalidArgument) << int(d);
  }
  CsvOptions zero;
  zero.max_record_bytes = 0;
  EXPECT_EQ(CsvReader::Create(zero).status().code(), Code::kInvalidArgument);
}

TEST(CsvReader, DetectsTheDelimiterFromTheFirstLine) {
  CsvOptions detect;
  detect.detect_delimiter = true;
  Outcome semi = ParseWhole("a;b;c\n1,5;2;3\n", detect);
  ASSERT_TRUE(semi.status.ok()) << semi.status.ToString();
  EXPECT_EQ(semi.delimiter, ';');
  EXPECT_EQ(semi.records[1].fields, (Fields{"1,5", "2", "3"}));
  // Commas inside a quoted header do not count.
  Outcome quoted = ParseWhole("\"x, y, z\";w\n1;2\n", detect);
  ASSERT_TRUE(quoted.status.ok());
  EXPECT_EQ(quoted.delimiter, ';');
  Outcome tab = ParseWhole("a\tb\n1\t2", detect);
  EXPECT_EQ(tab.delimiter, '\t');
  EXPECT_EQ(tab.records[1].fields, (Fields{"1", "2"}));
  Outcome one_column = ParseWhole("name\nx;y\n", detect);
  EXPECT_EQ(one_column.delimiter, ',');
  EXPECT_EQ(one_column.records[1].fields, (Fields{"x;y"}));
  Outcome tie = ParseWhole("a,b;c\n", detect);
  EXPECT_EQ(tie.status.code(), Code::kMalformed);
  EXPECT_EQ(tie.error_line, 1u);
  // A header without a final newline is decided at Finish().
  Outcome no_newline = ParseWhole("a;b", detect);
  EXPECT_EQ(no_newline.records[0].fields, (Fields{"a", "b"}));
}

TEST(CsvReader, ApiMisuse) {
  auto reader = CsvReader::Create();
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(reader->Feed(AsBytes("a")).code(), Code::kInvalidArgument);
  EXPECT_EQ(reader->Finish().code(), Code::kInvalidArgument);
}

TEST(CsvReader, FailureIsStickyAndYieldsNothingMore) {
  auto reader = CsvReader::Create();
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->Feed(AsBytes("a,b\n1,2\n")).ok());
  EXPECT_EQ(reader->pending_records(), 2u);
  Status s = reader->Feed(AsBytes("x\"y,3\n"));
  EXPECT_EQ(s.code(), Code::kMalformed);
  CsvRecord r;
  EXPECT_FALSE(reader->Next(r));  // the two good records are gone too: all or nothing
  EXPECT_EQ(reader->Feed(AsBytes("4,5\n")).ToString(), s.ToString());
  EXPECT_EQ(reader->Finish().ToString(), s.ToString());
}

// --- Malformed input -----------------------------------------------------------------------

struct BadCase {
  std::string name;
  std::string input;
  uint64_t line;
  size_t field;        // 0: the record as a whole
  std::string reason;  // a word of the message
};

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases = {
      {"stray_quote", "name,x\nSECRET\"NAME,1\n", 2, 1, "quote inside an unquoted"},
      {"stray_quote_after_quoted_newlines", "h1,h2\n\"a\nb\",c\nd,SECRET\"x\n", 4, 2,
       "quote inside an unquoted"},
      {"space_before_opening_quote", "h1,h2\n1, \"SECRET\"\n", 2, 2, "quote inside"},
      {"unterminated_quote", "h1,h2\nok,1\n\"SECRET,2\n", 3, 1, "not closed"},
      {"unterminated_quote_last_field", "h1,h2\nok,\"SECRET", 2, 2, "not closed"},
      {"text_after_closing_quote", "h1,h2\n\"SECRET\"x,1\n", 2, 1, "after the closing quote"},
      {"space_after_closing_quote", "h1,h2\n1,\"SECRET\" \n", 2, 2, "after the closing quote"},
      {"nul_unquoted", std::string("h1,h2\n1,SE\0CRET\n", 16), 2, 2, "NUL"},
      {"nul_quoted", std::string("h1,h2\n\"SE\0CRET\",b\n", 18), 2, 1, "NUL"},
      {"too_few_fields", "h1,h2\nSECRET\n", 2, 0, "has 1 field, the header has 2"},
      {"too_many_fields", "h1,h2\n1,2\n3,4,SECRET\n", 3, 0, "has 3 fields, the header has 2"},
      {"field_count_after_quoted_newlines", "h1,h2\n\"x\ny\",1\n\"p\nq\",1,SECRET\n", 4, 0,
       "has 3 fields"},
      {"lone_cr_header", "h1,h2\r1,2\n", 1, 2, "CR not followed by LF"},
      {"lone_cr_record", "h1,h2\n1,SECRET\rx\n", 2, 2, "CR not followed by LF"},
      {"lone_cr_empty_line", "h1,h2\n\rSECRET\n", 2, 0, "CR not followed by LF"},
      {"cr_at_eof", "h1,h2\n1,SECRET\r", 2, 2, "CR not followed by LF"},
      {"utf16le", std::string("\xFF\xFEh\0,\0", 6), 1, 0, "UTF-16"},
      {"utf16be", std::string("\xFE\xFF\0h", 4), 1, 0, "UTF-16"},
      {"half_bom", "\xEF\xBB", 1, 1, "UTF-8"},
  };
  // Each ill-formed UTF-8 sequence, in an unquoted and in a quoted multi-line field.
  const std::vector<std::pair<std::string, std::string>> bad_utf8 = {
      {"overlong_c0", "\xC0\x80"},
      {"overlong_c1", "\xC1\xBF"},
      {"overlong_e0", "\xE0\x80\xAF"},
      {"overlong_f0", "\xF0\x82\x82\xAC"},
      {"surrogate", "\xED\xA0\x80"},
      {"surrogate_low", "\xED\xBF\xBF"},
      {"above_10ffff", "\xF4\x90\x80\x80"},
      {"f5", "\xF5\x80\x80\x80"},
      {"ff", "\xFF"},
      {"lone_continuation", "\x80"},
      {"truncated_2", "\xD9"},
      {"truncated_3", "\xE2\x82"},
      {"truncated_4", "\xF0\x9F\x98"},
      {"bad_continuation", "\xD9\x41"},
  };
  for (const auto& [name, bytes] : bad_utf8) {
    cases.push_back({"utf8_" + name, "h1,h2\nok,SECRET" + bytes + "\n", 2, 2, "UTF-8"});
    cases.push_back(
        {"utf8_quoted_" + name, "h1,h2\nok,\"SECRET\n" + bytes + "\"\n", 2, 2, "UTF-8"});
  }
  return cases;
}

TEST(CsvReader, RejectsMalformedInputWithLineAndFieldButNoContent) {
  for (const BadCase& c : BadCases()) {
    Outcome o = ParseWhole(c.input);
    EXPECT_EQ(o.status.code(), Code::kMalformed) << c.name;
    EXPECT_EQ(o.error_line, c.line) << c.name;
    EXPECT_EQ(o.error_field, c.field) << c.name;
    const std::string& m = o.status.message();
    EXPECT_TRUE(m.starts_with("CSV line " + std::to_string(c.line))) << c.name << ": " << m;
    if (c.field != 0) {
      EXPECT_NE(m.find("field " + std::to_string(c.field)), std::string::npos) << c.name;
    }
    EXPECT_NE(m.find(c.reason), std::string::npos) << c.name << ": " << m;
    EXPECT_EQ(m.find("SECRET"), std::string::npos) << c.name << ": " << m;
    EXPECT_TRUE(o.records.empty()) << c.name;
  }
}

TEST(CsvReader, ErrorInsideAMultiLineRecordNamesBothLines) {
  Outcome o = ParseWhole("h1,h2\n\"a\nb\nc\"x,1\n");
  EXPECT_EQ(o.status.message(),
            "CSV line 2, field 1: text after the closing quote of a quoted field "
            "(found on line 4)");
}

TEST(CsvReader, RecordLengthIsBounded) {
  CsvOptions small;
  small.max_record_bytes = 16;
  Outcome ok = ParseWhole("h\n0123456789abcdef\n", small);
  EXPECT_TRUE(ok.status.ok());
  Outcome too_long = ParseWhole("h\n0123456789abcdefg\n", small);
  EXPECT_EQ(too_long.status.code(), Code::kMalformed);
  EXPECT_EQ(too_long.error_line, 2u);
  // An unterminated quote stops at the limit instead of swallowing the file.
  std::string runaway = "h\n\"" + std::string(100, 'x');
  auto reader = CsvReader::Create(small);
  EXPECT_EQ(reader->Feed(AsBytes(runaway)).code(), Code::kMalformed);
  EXPECT_EQ(reader->error_line(), 2u);
}

// --- Chunking ------------------------------------------------------------------------------

TEST(CsvReader, EveryFixtureParsesTheSameInAnyChunkSize) {
  CsvOptions detect;
  detect.detect_delimiter = true;
  size_t fixtures = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".csv") continue;
    ++fixtures;
    std::string data = ReadFixture(entry.path().filename().string());
    Outcome whole = ParseWhole(data, detect);
    EXPECT_TRUE(whole.status.ok()) << entry.path() << ": " << whole.status.ToString();
    EXPECT_FALSE(whole.records.empty()) << entry.path();
    for (size_t chunk : {1, 2, 3, 5, 7, 64 * 1024}) {
      ExpectSameOutcome(whole, ParseChunked(data, detect, chunk),
                        entry.path().string() + " chunk " + std::to_string(chunk));
    }
  }
  EXPECT_GE(fixtures, 6u);
}

TEST(CsvReader, EverySplitPointParsesTheSame) {
  std::vector<std::string> inputs = {
      "\xEF\xBB\xBF\"a\"\"b\",\"c\r\nd\"\r\ne,\xD9\x85\xD8\xAD\r\n",  // BOM, "", CRLF, Arabic
      "x,\"\"\"\"\r\n\r\n\"\",\xF0\x9F\x98\x80\n",
      ReadFixture("arabic_bom_crlf.csv"),
  };
  for (const BadCase& c : BadCases()) inputs.push_back(c.input);
  for (bool detect : {false, true}) {
    CsvOptions options;
    options.detect_delimiter = detect;
    for (const std::string& in : inputs) {
      Outcome whole = ParseWhole(in, options);
      for (size_t at = 0; at <= in.size(); ++at) {
        ExpectSameOutcome(whole, ParseSplit(in, options, at),
                          "split at " + std::to_string(at) + " of " + ToHex(AsBytes(in)));
      }
    }
  }
}

TEST(CsvReader, MemoryStaysFlatOverAMillionRows) {
  constexpr size_t kRows = 1'000'000;
  constexpr size_t kChunk = 64 * 1024;
  auto reader = CsvReader::Create();
  ASSERT_TRUE(reader.ok());
  std::string buffer = "id,name,district\r\n";
  size_t next_row = 0, seen = 0, max_pending = 0;
  CsvRecord r, last;
  auto drain = [&] {
    max_pending = std::max(max_pending, reader->pending_records());
    while (reader->Next(r)) {
      ++seen;
      last = std::move(r);
    }
  };
  while (next_row < kRows || !buffer.empty()) {
    while (buffer.size() < kChunk && next_row < kRows) {
      buffer +=
          std::to_string(next_row) + ",\"محمد, " + std::to_string(next_row % 97) + "\",north\r\n";
      ++next_row;
    }
    size_t n = std::min(buffer.size(), kChunk);
    ASSERT_TRUE(reader->Feed(AsBytes(std::string_view(buffer).substr(0, n))).ok());
    buffer.erase(0, n);
    drain();
  }
  ASSERT_TRUE(reader->Finish().ok());
  drain();
  EXPECT_EQ(seen, kRows + 1);
  EXPECT_EQ(last.line, kRows + 1);
  EXPECT_EQ(last.fields[0], std::to_string(kRows - 1));
  // A 64 KiB chunk holds at most ~2,500 rows of ~26 bytes: nothing accumulates beyond it.
  EXPECT_LE(max_pending, kChunk / 20);
}

// --- Round trip ----------------------------------------------------------------------------

// The smallest RFC 4180 writer: quote when needed, or always when asked.
std::string WriteCsv(const std::vector<Fields>& rows, char delim, const std::string& eol,
                     bool final_eol, bool always_quote) {
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].size(); ++j) {
      const std::string& f = rows[i][j];
      bool quote =
          always_quote || f.find_first_of(std::string{'"', '\r', '\n', delim}) != std::string::npos;
      // An empty one-field record would be an empty line; a leading U+FEFF at the start of
      // the file would read as a BOM.
      quote = quote || (rows[i].size() == 1 && f.empty()) ||
              (i == 0 && j == 0 && f.starts_with("\xEF\xBB\xBF"));
      if (j != 0) out.push_back(delim);
      if (!quote) {
        out += f;
        continue;
      }
      out.push_back('"');
      for (char c : f) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
      }
      out.push_back('"');
    }
    if (i + 1 < rows.size() || final_eol) out += eol;
  }
  return out;
}

TEST(CsvReader, RandomRoundTrip) {
  const std::vector<std::string> pieces = {
      "a",          "Z",      "0", " ", ",", ";",    "\t",       "\"",     "\"\"",   "\n",
      "\r\n",       "\r",     "=", "-", "'", "محمد", "عبد الله", "\u200c", "\u0640", "\u064e\u0651",
      "\U0001F600", "\uFEFF", "é"};
  std::mt19937_64 rng(20240611);  // fixed seed: a failure reproduces
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  size_t files = 0, records = 0;
  for (int iter = 0; iter < 600; ++iter) {
    const char delim = std::string(",;\t")[pick(3)];
    size_t nfields = 1 + pick(6);
    std::vector<Fields> rows(1 + pick(12));
    for (Fields& row : rows) {
      for (size_t j = 0; j < nfields; ++j) {
        std::string f;
        for (size_t k = pick(7); k > 0; --k) f += pieces[pick(pieces.size())];
        row.push_back(std::move(f));
      }
    }
    bool bom = pick(2), final_eol = pick(2), always_quote = pick(4) == 0;
    std::string eol = pick(2) ? "\r\n" : "\n";
    std::string text =
        (bom ? "\xEF\xBB\xBF" : "") + WriteCsv(rows, delim, eol, final_eol, always_quote);
    CsvOptions options;
    options.delimiter = delim;
    Outcome whole = ParseWhole(text, options);
    ASSERT_TRUE(whole.status.ok()) << whole.status.ToString() << " in " << ToHex(AsBytes(text));
    ASSERT_EQ(FieldsOf(whole.records), rows) << ToHex(AsBytes(text));
    // Line numbers: each record starts after the newlines of the ones before it.
    uint64_t line = 1;
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(whole.records[i].line, line);
      for (const std::string& f : rows[i]) line += std::count(f.begin(), f.end(), '\n');
      ++line;
    }
    ExpectSameOutcome(whole, ParseChunked(text, options, 1 + pick(9)), "random chunks");
    ++files;
    records += rows.size();
  }
  EXPECT_EQ(files, 600u);
  EXPECT_GT(records, 3000u);
}

// --- Writer --------------------------------------------------------------------------------

TEST(CsvEscape, QuotesPerRfc4180) {
  EXPECT_EQ(CsvEscapeField("plain"), "plain");
  EXPECT_EQ(CsvEscapeField(""), "");
  EXPECT_EQ(CsvEscapeField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvEscapeField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvEscapeField("l1\nl2"), "\"l1\nl2\"");
  EXPECT_EQ(CsvEscapeField("l1\r\nl2"), "\"l1\r\nl2\"");
  EXPECT_EQ(CsvEscapeField("مُحَمَّد"), "مُحَمَّد");
  EXPECT_EQ(CsvEscapeField("a;b", ';'), "\"a;b\"");
  EXPECT_EQ(CsvEscapeField("a,b", ';'), "a,b");
}

TEST(CsvEscape, DefusesSpreadsheetFormulas) {
  EXPECT_EQ(CsvEscapeField("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvEscapeField("=1+2"), "'=1+2");
  EXPECT_EQ(CsvEscapeField("+963 11 000"), "'+963 11 000");
  EXPECT_EQ(CsvEscapeField("-5"), "'-5");
  EXPECT_EQ(CsvEscapeField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvEscapeField("\tx"), "'\tx");
  EXPECT_EQ(CsvEscapeField("\tx", '\t'), "\"'\tx\"");
  EXPECT_EQ(CsvEscapeField("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvEscapeField("=a,b"), "\"'=a,b\"");
  EXPECT_EQ(CsvEscapeField("a=b"), "a=b");  // only the first character counts
  EXPECT_EQ(CsvEscapeField("'=x"), "'=x");
}

TEST(CsvEscape, WrittenRecordsReadBack) {
  EXPECT_EQ(CsvWriteRecord({"a", "b,c"}), "a,\"b,c\"\r\n");
  EXPECT_EQ(CsvWriteRecord({""}), "\"\"\r\n");
  EXPECT_EQ(CsvWriteRecord({"", ""}), ",\r\n");
  std::vector<Fields> rows = {{"full_name", "phone", "notes"},
                              {"مُحَمَّد", "+963 900", "a \"b\"\r\nc"},
                              {"", "=cmd|' /C calc'!A0", ""}};
  std::string text;
  for (const Fields& r : rows) text += CsvWriteRecord(r);
  Outcome o = ParseWhole(text);
  ASSERT_TRUE(o.status.ok());
  rows[1][1] = "'+963 900";
  rows[2][1] = "'=cmd|' /C calc'!A0";
  EXPECT_EQ(FieldsOf(o.records), rows);
  Outcome single = ParseWhole(CsvWriteRecord({"h"}) + CsvWriteRecord({""}));
  EXPECT_EQ(FieldsOf(single.records), (std::vector<Fields>{{"h"}, {""}}));
}

TEST(CsvUtf8, AcceptsAllScalarValueBoundaries) {
  for (const char* s :
       {"", "\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80",
        "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "0123456789abcdef\xD9\x85"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << ToHex(AsBytes(s));
  }
  EXPECT_FALSE(IsValidUtf8("01234567\x80"));  // after the 8-byte ASCII fast path
}

// --- Column mapping ------------------------------------------------------------------------

CsvRecord Header(Fields names) { return CsvRecord{std::move(names), 1}; }

TEST(ColumnMapping, ParsesSpecs) {
  auto m = ColumnMapping::FromSpec(" given_name=First Name, family_name = Surname ,district=Area");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->columns,
            (std::vector<std::pair<std::string, std::string>>{
                {"given_name", "First Name"}, {"family_name", "Surname"}, {"district", "Area"}}));
  auto q = ColumnMapping::FromSpec("notes=\"Remarks, \"\"other\"\"\",full_name=الاسم");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->columns[0].second, "Remarks, \"other\"");
  EXPECT_EQ(q->columns[1].second, "الاسم");
}

TEST(ColumnMapping, RejectsBadSpecs) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"given_name", "expected field=Header"},
      {"bogus=X", "unknown field \"bogus\""},
      {"given_name=A,given_name=B", "given twice"},
      {"given_name=Name,full_name= NAME ", "header \"NAME\" maps twice"},
      {"given_name=", "empty header"},
      {"given_name=\"A", "unclosed quote"},
      {"given_name=\"A\"x", "text after the quoted header"},
      {"given_name=A,", "ends with ','"},
  };
  for (const auto& [spec, reason] : bad) {
    auto m = ColumnMapping::FromSpec(spec);
    EXPECT_EQ(m.status().code(), Code::kInvalidArgument) << spec;
    EXPECT_NE(m.status().message().find(reason), std::string::npos)
        << spec << ": " << m.status().message();
  }
}

// A list exported without its header row: the first row is a person, and mapping errors
// must not echo it (they name columns by number only).
TEST(ColumnMapper, HeaderlessFileNeverEchoesTheFirstRow) {
  CsvRecord first{{"SECRETNAME", "SECRETNAME", "1979", "+963SECRET", "SECRET notes"}, 1};
  ColumnMapping mapping;
  mapping.preset = ColumnPreset::kSpreadsheet;
  mapping.required = {"district"};
  auto m = ColumnMapper::Create(mapping, first);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message().find("SECRET"), std::string::npos);
  mapping.required.clear();
  auto n = ColumnMapper::Create(mapping, first);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message().find("SECRET"), std::string::npos);
}

TEST(ColumnMapping, NormalizesHeaders) {
  EXPECT_EQ(NormalizeHeader("\xEF\xBB\xBF  First   Name\t"), "first_name");
  EXPECT_EQ(NormalizeHeader("FIRST__name"), "first_name");
  EXPECT_EQ(NormalizeHeader("group/Person_Name"), "group/person_name");
  EXPECT_EQ(NormalizeHeader("الاسم الأول"), "الاسم_الأول");
}

TEST(ColumnMapper, MapsExplicitColumnsCaseInsensitively) {
  auto spec = ColumnMapping::FromSpec("given_name=first name,family_name=SURNAME,district=Area");
  ASSERT_TRUE(spec.ok());
  auto mapper =
      ColumnMapper::Create(*spec, Header({"\xEF\xBB\xBF First  Name ", "Surname", "AREA", "X"}));
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  auto row = mapper->Map(CsvRecord{{"مُحَمَّد", " الحسن ", "north", "x"}, 7});
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->line, 7u);
  EXPECT_EQ(row->fields,
            (std::map<std::string, std::string>{
                {"given_name", "مُحَمَّد"}, {"family_name", " الحسن "}, {"district", "north"}}));
  EXPECT_EQ(mapper->ignored_headers(), (Fields{"X"}));
  EXPECT_EQ(mapper->resolved().at("district"), "AREA");
  auto short_row = mapper->Map(CsvRecord{{"a", "b"}, 9});
  EXPECT_EQ(short_row.status().code(), Code::kMalformed);
  EXPECT_NE(short_row.status().message().find("line 9"), std::string::npos);

  // MapInto, row after row into one MappedRow: each row's values, a shorter value replacing
  // a longer one whole; a short row leaves the last one as it was.
  MappedRow into;
  EXPECT_TRUE(mapper->MapInto(CsvRecord{{"a long given name", "b", "c", "d"}, 10}, into).ok());
  EXPECT_TRUE(mapper->MapInto(CsvRecord{{"e", "", "g", "h"}, 11}, into).ok());
  EXPECT_EQ(into.line, 11u);
  const std::map<std::string, std::string> second = {
      {"given_name", "e"}, {"family_name", ""}, {"district", "g"}};
  EXPECT_EQ(into.fields, second);
  const Status refused = mapper->MapInto(CsvRecord{{"x"}, 12}, into);
  EXPECT_EQ(refused.code(), Code::kMalformed);
  EXPECT_NE(refused.message().find("line 12"), std::string::npos);
  EXPECT_EQ(into.line, 11u);
  EXPECT_EQ(into.fields, second);
}

TEST(ColumnMapper, ReportsMappingErrorsNamingHeaders) {
  ColumnMapping explicit_area;
  explicit_area.columns = {{"full_name", "Name"}, {"district", "Area"}};
  auto missing = ColumnMapper::Create(explicit_area, Header({"Name", "Region"}));
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("no header \"Area\" for district"), std::string::npos);

  auto dup = ColumnMapper::Create(explicit_area, Header({"Name", "Area", "name "}));
  EXPECT_EQ(dup.status().code(), Code::kInvalidArgument);
  EXPECT_NE(dup.status().message().find("duplicate header: columns 1 and 3"),
            std::string::npos)
      << dup.status().message();

  ColumnMapping twice;  // built by hand: FromSpec would refuse it already
  twice.columns = {{"given_name", "Name"}, {"full_name", "NAME"}};
  auto t = ColumnMapper::Create(twice, Header({"Name"}));
  EXPECT_NE(t.status().message().find("column 1 maps twice (given_name and full_name)"),
            std::string::npos)
      << t.status().message();

  ColumnMapping required = explicit_area;
  required.required = {"consent"};
  auto r = ColumnMapper::Create(required, Header({"Name", "Area"}));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("required field consent has no column"), std::string::npos);

  ColumnMapping no_name;
  no_name.columns = {{"district", "Area"}};
  auto n = ColumnMapper::Create(no_name, Header({"Area"}));
  EXPECT_NE(n.status().message().find("no name column"), std::string::npos);
  no_name.require_name = false;
  EXPECT_TRUE(ColumnMapper::Create(no_name, Header({"Area"})).ok());

  ColumnMapping kobo;
  kobo.preset = ColumnPreset::kKobo;
  auto ambiguous = ColumnMapper::Create(kobo, Header({"group_a/name", "group_b/name"}));
  EXPECT_NE(ambiguous.status().message().find(
                "full_name matches two columns, 1 and 2"),
            std::string::npos)
      << ambiguous.status().message();
}

TEST(ColumnMapper, SpreadsheetPresetWithArabicHeaders) {
  Outcome o = ParseWhole(ReadFixture("arabic_bom_crlf.csv"));
  ASSERT_TRUE(o.status.ok());
  ColumnMapping m;
  m.preset = ColumnPreset::kSpreadsheet;
  auto mapper = ColumnMapper::Create(m, o.records[0]);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  EXPECT_TRUE(mapper->ignored_headers().empty());
  auto row = mapper->Map(o.records[2]);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->line, 3u);
  EXPECT_EQ(row->fields,
            (std::map<std::string, std::string>{{"full_name", "فاطمـــة الزهراء"},
                                                {"birth_year", "1990"},
                                                {"role", "صحفية"},
                                                {"district", "المنطقة، الشرقية"},
                                                {"notes", "قالت: \"نعم\", ثم غادرت"}}));
}

TEST(ColumnMapper, SpreadsheetPresetExplicitColumnsWin) {
  auto spec = ColumnMapping::FromSpec("given_name=Name");
  ASSERT_TRUE(spec.ok());
  spec->preset = ColumnPreset::kSpreadsheet;
  auto mapper = ColumnMapper::Create(*spec, Header({"Name", "First Name", "Area", "", ""}));
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  EXPECT_EQ(mapper->resolved(),
            (std::map<std::string, std::string>{{"given_name", "Name"}, {"district", "Area"}}));
  EXPECT_EQ(mapper->ignored_headers(), (Fields{"First Name"}));  // blank headers are not listed
}

TEST(ColumnMapper, SpreadsheetPresetOnBlankLineFixture) {
  Outcome o = ParseWhole(ReadFixture("spreadsheet_blank_lines.csv"));
  ColumnMapping m;
  m.preset = ColumnPreset::kSpreadsheet;
  m.required = {"family_name", "district"};
  auto mapper = ColumnMapper::Create(m, o.records[0]);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  auto row = mapper->Map(o.records[3]);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->line, 7u);
  EXPECT_EQ(row->fields,
            (std::map<std::string, std::string>{
                {"given_name", "Yusuf"}, {"family_name", " Omar "}, {"district", "east"}}));
}

TEST(ColumnMapper, KoboPresetFollowsGroupPathsAndIgnoresMetadata) {
  CsvOptions detect;
  detect.detect_delimiter = true;
  Outcome o = ParseWhole(ReadFixture("kobo_semicolon.csv"), detect);
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(o.delimiter, ';');
  ColumnMapping m;
  m.preset = ColumnPreset::kKobo;
  m.required = {"consent", "district"};
  auto mapper = ColumnMapper::Create(m, o.records[0]);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  EXPECT_TRUE(mapper->ignored_headers().empty());
  EXPECT_EQ(mapper->resolved().count("phone"), 0u);  // "phonenumber" is the device's
  auto row = mapper->Map(o.records[2]);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->line, 3u);
  EXPECT_EQ(row->fields, (std::map<std::string, std::string>{{"full_name", "Sara; \"Nour\" Haddad"},
                                                             {"birth_year", "1995"},
                                                             {"role", "journalist"},
                                                             {"district", "centre"},
                                                             {"needs", ""},
                                                             {"household_size", "1"},
                                                             {"consent", "ngo"}}));
  EXPECT_EQ(mapper->Map(o.records[1])->fields.at("full_name"), "خالد الـحسن");
  // The spreadsheet preset does not know Kobo's group paths.
  ColumnMapping sheet;
  sheet.preset = ColumnPreset::kSpreadsheet;
  EXPECT_FALSE(ColumnMapper::Create(sheet, o.records[0]).ok());
}

TEST(ColumnMapper, OdkCentralTabExport) {
  CsvOptions detect;
  detect.detect_delimiter = true;
  Outcome o = ParseWhole(ReadFixture("odk_tab.csv"), detect);
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(o.delimiter, '\t');
  ColumnMapping m;
  m.preset = ColumnPreset::kKobo;
  auto mapper = ColumnMapper::Create(m, o.records[0]);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  // ODK Central's "-" group separator is not split: "person-name" stays unmapped and shown.
  EXPECT_EQ(mapper->ignored_headers(), (Fields{"person-name"}));
  auto row = mapper->Map(o.records[1]);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->fields,
            (std::map<std::string, std::string>{
                {"full_name", "ليلى\tأحمد"}, {"district", "south"}, {"consent", "ngo"}}));
}

}  // namespace
}  // namespace amanah
