// CSV import: a strict, streaming reader for the lists that activists export from
// spreadsheets, KoboToolbox and ODK, and the mapping of their columns onto Amanah's fields.
//
// CsvReader turns bytes into records. It does no I/O: the caller hands it the file in chunks
// of any size (one byte or 64 KiB) and drains the records that are complete; a chunk may end
// anywhere, even inside a UTF-8 sequence, a "" escape or a CRLF, and the records are the same
// as for the whole buffer. Memory is bounded by the chunk size and the longest record, never
// by the number of rows. The dialect is RFC 4180 plus what real exports do; docs/csv-import.md
// states it exactly. Anything outside it is a kMalformed error that names the 1-based line on
// which the record starts and the 1-based field number, and never the field's content: a
// field may be a person's name.
//
// ColumnMapper turns a header record and a ColumnMapping (an explicit "field=Header" spec
// and/or a preset for spreadsheet or KoboToolbox/ODK exports) into a function from a record
// to {Amanah field name -> value}. Header names are not personal data and appear in errors.
//
// Thread safety: a CsvReader is a mutable object without internal locking; use one per
// thread. A ColumnMapper is immutable after Create() and may be shared. The free functions
// are pure.
#ifndef AMANAH_CSV_H_
#define AMANAH_CSV_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "amanah/bytes.h"
#include "amanah/status.h"
#include "amanah/utf8.h"  // IsValidUtf8, which the reader applies to every field

namespace amanah {

struct CsvOptions {
  // The field separator. Any ASCII byte except '"', CR, LF and NUL; ',' ';' '\t' and '|' are
  // the ones seen in practice.
  char delimiter = ',';
  // If true, the delimiter is chosen from the first line: whichever of ',' ';' '\t' occurs
  // most often outside quotes. A line with none of them keeps `delimiter`; a tie between two
  // of them is an error (pass the delimiter instead of guessing).
  bool detect_delimiter = false;
  // Every record must have as many fields as the first one (the header).
  bool require_uniform_field_count = true;
  // A record longer than this (the sum of its fields, in bytes) is an error. It bounds memory
  // when a file holds an unterminated quote.
  size_t max_record_bytes = 1 << 20;
};

struct CsvRecord {
  std::vector<std::string> fields;  // each one valid UTF-8, byte-exact as in the file
  uint64_t line = 0;                // the 1-based line on which the record starts

  bool AllFieldsEmpty() const;  // ",,," rows that spreadsheets leave at the end
  friend bool operator==(const CsvRecord&, const CsvRecord&) = default;
};

// The streaming reader. Typical use:
//
//   AMANAH_ASSIGN_OR_RETURN(CsvReader reader, CsvReader::Create(options));
//   for (each chunk) {
//     AMANAH_RETURN_IF_ERROR(reader.Feed(chunk));
//     CsvRecord record;
//     while (reader.Next(record)) Use(record);
//   }
//   AMANAH_RETURN_IF_ERROR(reader.Finish());
//   while (reader.Next(record)) Use(record);
//
// The first failure is sticky: every later Feed() or Finish() returns it, and Next() yields
// nothing more, not even records completed before the failure (an import is all or nothing).
class CsvReader {
 public:
  // kInvalidArgument if the options are out of range.
  static Result<CsvReader> Create(CsvOptions options = {});

  CsvReader(CsvReader&&) = default;
  CsvReader& operator=(CsvReader&&) = default;

  // Parses the next bytes of the file. Records completed by these bytes become available to
  // Next(). kMalformed on the first byte that breaks the dialect.
  // REQUIRES: Finish() has not been called.
  Status Feed(ByteView chunk);

  // Declares the end of the file: completes a last record without a final newline, and fails
  // on an unterminated quoted field or a dangling CR.
  // REQUIRES: Finish() has not been called.
  Status Finish();

  // Moves the oldest complete record into `out` and returns true, or returns false if none is
  // ready (or the reader failed).
  bool Next(CsvRecord& out);

  // The delimiter in use (the detected one once the first line has been read).
  char delimiter() const { return options_.delimiter; }
  // Where the first failure happened: the record's first line and the 1-based field number
  // (0 when the failure is about the record as a whole). Both 0 while no failure happened.
  uint64_t error_line() const { return error_line_; }
  size_t error_field() const { return error_field_; }
  // Complete records not yet taken by Next(); for callers that want to bound their memory.
  size_t pending_records() const { return ready_.size(); }

 private:
  enum class State { kRecordStart, kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kCr };

  explicit CsvReader(CsvOptions options) : options_(options) {}

  Status DecideBom();
  Status FeedAfterBom(const uint8_t* p, size_t n);
  Status DetectDelimiter();
  Status Parse(const uint8_t* p, size_t n);
  Status Append(const uint8_t* p, size_t n);
  Status EndField();
  Status EndRecord();
  Status Fail(std::string_view reason, size_t field);

  CsvOptions options_;
  std::array<bool, 256> unquoted_stop_{};  // bytes that end a run inside an unquoted field
  Status error_;
  uint64_t error_line_ = 0;
  size_t error_field_ = 0;
  bool finished_ = false;

  // Stage 1: the first bytes, held until we know whether they are a BOM.
  bool bom_decided_ = false;
  std::string head_;
  // Stage 2: the first line, held until the delimiter is chosen (detect_delimiter only).
  bool delimiter_decided_ = false;
  std::string first_line_;
  bool first_line_in_quotes_ = false;

  // Stage 3: the state machine.
  State state_ = State::kRecordStart;
  bool cr_on_empty_line_ = false;
  uint64_t line_ = 1;         // the physical line of the next byte
  uint64_t record_line_ = 1;  // the line on which the current record started
  std::string field_;
  std::vector<std::string> fields_;
  size_t record_bytes_ = 0;  // bytes in fields_
  size_t expected_fields_ = 0;
  std::deque<CsvRecord> ready_;
};

// Parses a whole file held in memory. The same rules and errors as CsvReader.
Result<std::vector<CsvRecord>> ParseCsv(ByteView whole, CsvOptions options = {});

// --- Writing (exports) ---------------------------------------------------------------------

// One field for a CSV that a person will open in a spreadsheet. A field that starts with
// = + - @ TAB or CR gets a leading apostrophe (so that Excel, LibreOffice and Google Sheets
// show it as text instead of running it as a formula); then a field that contains the
// delimiter, '"', CR or LF is quoted with "" escapes (RFC 4180). Not the inverse of the
// reader for those first-character cases: docs/csv-import.md.
std::string CsvEscapeField(std::string_view field, char delimiter = ',');

// A record as escaped fields joined by the delimiter, ending in CRLF. A record with one empty
// field is written as "" so that it does not read back as a skipped empty line.
std::string CsvWriteRecord(const std::vector<std::string>& fields, char delimiter = ',');

// --- Column mapping ------------------------------------------------------------------------

// Amanah's importable fields; the names used in mapping specs and in MappedRow. Encoded in
// users' mapping specs: do not change.
inline constexpr std::array<std::string_view, 11> kImportFields = {
    "given_name", "family_name",    "full_name", "birth_year", "role", "district",
    "needs",      "household_size", "consent",   "phone",      "notes"};

enum class ColumnPreset {
  kNone,         // explicit columns only
  kSpreadsheet,  // common English and Arabic header names ("First Name", "الاسم الأول")
  kKobo,         // KoboToolbox / ODK: as kSpreadsheet, matched on the last "/" group path
                 // segment, with submission metadata columns (_uuid, meta/instanceID) ignored
};

struct ColumnMapping {
  // Amanah field -> header name, matched case-insensitively and trimmed. These win over the
  // preset.
  std::vector<std::pair<std::string, std::string>> columns;
  ColumnPreset preset = ColumnPreset::kNone;
  // Fields that must find a column.
  std::vector<std::string> required;
  // A name must find a column: full_name or given_name.
  bool require_name = true;

  // Parses "given_name=First Name,family_name=Surname,district=Area" into `columns`. A header
  // containing ',' or '=' or edge spaces is written in double quotes, "" for a quote.
  // kInvalidArgument on an unknown field, a field given twice, a header given twice or bad
  // syntax.
  static Result<ColumnMapping> FromSpec(std::string_view spec);
};

struct MappedRow {
  std::map<std::string, std::string> fields;  // Amanah field -> value, for mapped fields
  uint64_t line = 0;                          // the line on which the record starts
};

class ColumnMapper {
 public:
  // Resolves `mapping` against the header record. kInvalidArgument, naming the headers
  // involved, if: two non-empty headers are the same after normalisation; an explicit header
  // is missing; a header would map to two fields; a preset finds two columns for one field;
  // a required field (or the name) has no column.
  static Result<ColumnMapper> Create(const ColumnMapping& mapping, const CsvRecord& header);

  // REQUIRES: `row` comes from the same file as the header.
  // kMalformed if the row does not have one field per header.
  Result<MappedRow> Map(const CsvRecord& row) const;
  // Map's result written into `out`, reusing its strings' memory: for a loop over a file's
  // rows, which otherwise allocates every field of every row. On an error `out` is unchanged.
  Status MapInto(const CsvRecord& row, MappedRow& out) const;

  // Amanah field -> the header it reads from, for showing the user what will be imported.
  const std::map<std::string, std::string>& resolved() const { return resolved_headers_; }
  // Non-empty headers that map to no field and are not metadata: shown as "not imported".
  const std::vector<std::string>& ignored_headers() const { return ignored_headers_; }

 private:
  ColumnMapper() = default;

  size_t header_size_ = 0;
  std::vector<std::pair<std::string, size_t>> field_columns_;  // field -> column index
  std::map<std::string, std::string> resolved_headers_;
  std::vector<std::string> ignored_headers_;
};

// The normal form used to compare header names: a leading U+FEFF dropped, ASCII whitespace
// trimmed, ASCII letters lower-cased, runs of spaces and '_' made one '_'. Non-ASCII text
// (Arabic headers) is compared byte for byte.
std::string NormalizeHeader(std::string_view header);

}  // namespace amanah

#endif  // AMANAH_CSV_H_
