#include "amanah/csv.h"

#include <algorithm>
#include <set>

namespace amanah {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string FieldCount(size_t n) { return std::to_string(n) + (n == 1 ? " field" : " fields"); }

}  // namespace

// --- Reader --------------------------------------------------------------------------------

bool CsvRecord::AllFieldsEmpty() const {
  return std::all_of(fields.begin(), fields.end(), [](const std::string& f) { return f.empty(); });
}

Result<CsvReader> CsvReader::Create(CsvOptions options) {
  auto d = static_cast<unsigned char>(options.delimiter);
  if (d == '"' || d == '\r' || d == '\n' || d == '\0' || d >= 0x80) {
    return InvalidArgument(
        "CSV delimiter must be an ASCII character other than a quote, CR, LF or NUL");
  }
  if (options.max_record_bytes == 0) {
    return InvalidArgument("CSV max_record_bytes must be positive");
  }
  CsvReader reader(options);
  reader.delimiter_decided_ = !options.detect_delimiter;
  return reader;
}

Status CsvReader::Fail(std::string_view reason, size_t field) {
  std::string m = "CSV line " + std::to_string(record_line_);
  if (field != 0) m += ", field " + std::to_string(field);
  m += ": ";
  m += reason;
  if (line_ != record_line_ && field != 0) {
    m += " (found on line " + std::to_string(line_) + ")";
  }
  error_ = Malformed(std::move(m));
  error_line_ = record_line_;
  error_field_ = field;
  ready_.clear();
  field_.clear();
  fields_.clear();
  return error_;
}

Status CsvReader::Feed(ByteView chunk) {
  if (!error_.ok()) return error_;
  if (finished_) return InvalidArgument("CsvReader::Feed after Finish");
  const uint8_t* p = chunk.data();
  size_t n = chunk.size();
  if (!bom_decided_) {
    // Hold the first three bytes: a BOM, or a UTF-16 mark, may arrive a byte at a time.
    while (n > 0 && head_.size() < 3) {
      head_.push_back(static_cast<char>(*p++));
      --n;
    }
    if (head_.size() < 3) return Status::Ok();
    AMANAH_RETURN_IF_ERROR(DecideBom());
  }
  return FeedAfterBom(p, n);
}

Status CsvReader::DecideBom() {
  bom_decided_ = true;
  std::string head = std::move(head_);
  head_.clear();
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF")) {
    return Fail("the file is UTF-16; export it as UTF-8", 0);
  }
  if (head == kBom) return Status::Ok();  // stripped at the very start only
  return FeedAfterBom(reinterpret_cast<const uint8_t*>(head.data()), head.size());
}

Status CsvReader::FeedAfterBom(const uint8_t* p, size_t n) {
  if (n == 0) return Status::Ok();
  if (delimiter_decided_) return Parse(p, n);
  // Hold the first line until its end, then pick the delimiter from it.
  size_t old = first_line_.size();
  first_line_.append(reinterpret_cast<const char*>(p), n);
  for (size_t i = old; i < first_line_.size(); ++i) {
    char c = first_line_[i];
    if (c == '"') first_line_in_quotes_ = !first_line_in_quotes_;
    if (c == '\n' && !first_line_in_quotes_) {
      AMANAH_RETURN_IF_ERROR(DetectDelimiter());
      std::string held = std::move(first_line_);
      first_line_.clear();
      return Parse(reinterpret_cast<const uint8_t*>(held.data()), held.size());
    }
  }
  if (first_line_.size() > options_.max_record_bytes) {
    return Fail("the first line is longer than the record limit; cannot detect the delimiter", 0);
  }
  return Status::Ok();
}

Status CsvReader::DetectDelimiter() {
  // Only the first line counts, outside quotes ("a, b" in a quoted header says nothing).
  constexpr std::array<char, 3> kCandidates = {',', ';', '\t'};
  std::array<size_t, 3> counts{};
  bool in_quotes = false;
  for (char c : first_line_) {
    if (c == '"') in_quotes = !in_quotes;
    if (c == '\n' && !in_quotes) break;
    if (in_quotes) continue;
    for (size_t i = 0; i < kCandidates.size(); ++i) counts[i] += (c == kCandidates[i]);
  }
  size_t best = 0;
  for (size_t i = 1; i < counts.size(); ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  delimiter_decided_ = true;
  if (counts[best] == 0) return Status::Ok();  // one column: keep the configured delimiter
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i != best && counts[i] == counts[best]) {
      return Fail(
          "cannot detect the delimiter: the header has as many of two candidates "
          "(',' ';' tab); pass the delimiter explicitly",
          0);
    }
  }
  options_.delimiter = kCandidates[best];
  return Status::Ok();
}

Status CsvReader::Append(const uint8_t* p, size_t n) {
  if (record_bytes_ + field_.size() + n > options_.max_record_bytes) {
    return Fail("the record is longer than " + std::to_string(options_.max_record_bytes) +
                    " bytes (an unterminated quote?)",
                fields_.size() + 1);
  }
  field_.append(reinterpret_cast<const char*>(p), n);
  return Status::Ok();
}

Status CsvReader::EndField() {
  if (!IsValidUtf8(field_)) {
    return Fail("invalid UTF-8 (export the file as UTF-8)", fields_.size() + 1);
  }
  record_bytes_ += field_.size();
  fields_.push_back(std::move(field_));
  field_.clear();
  return Status::Ok();
}

Status CsvReader::EndRecord() {
  if (options_.require_uniform_field_count) {
    if (expected_fields_ == 0) {
      expected_fields_ = fields_.size();
    } else if (fields_.size() != expected_fields_) {
      return Fail("the record has " + FieldCount(fields_.size()) + ", the header has " +
                      std::to_string(expected_fields_),
                  0);
    }
  }
  ready_.push_back(CsvRecord{std::move(fields_), record_line_});
  fields_.clear();
  fields_.reserve(expected_fields_);
  record_bytes_ = 0;
  state_ = State::kRecordStart;
  return Status::Ok();
}

Status CsvReader::Parse(const uint8_t* p, size_t n) {
  if (!unquoted_stop_[static_cast<uint8_t>(options_.delimiter)]) {
    for (uint8_t c : {'"', '\r', '\n', '\0'}) unquoted_stop_[c] = true;
    unquoted_stop_[static_cast<uint8_t>(options_.delimiter)] = true;
  }
  const uint8_t delim = static_cast<uint8_t>(options_.delimiter);
  const uint8_t* end = p + n;
  while (p < end) {
    switch (state_) {
      case State::kRecordStart:
        if (*p == '\n') {  // an empty line: skipped
          ++line_;
          ++p;
        } else if (*p == '\r') {
          record_line_ = line_;  // for the error, if no LF follows
          cr_on_empty_line_ = true;
          state_ = State::kCr;
          ++p;
        } else {
          record_line_ = line_;
          state_ = State::kFieldStart;
        }
        break;

      case State::kFieldStart:
        if (*p == '"') {
          state_ = State::kQuoted;
          ++p;
        } else if (*p == delim) {
          AMANAH_RETURN_IF_ERROR(EndField());
          ++p;
        } else if (*p == '\n') {
          AMANAH_RETURN_IF_ERROR(EndField());
          AMANAH_RETURN_IF_ERROR(EndRecord());
          ++line_;
          ++p;
        } else if (*p == '\r') {
          cr_on_empty_line_ = false;
          state_ = State::kCr;
          ++p;
        } else {
          state_ = State::kUnquoted;
        }
        break;

      case State::kUnquoted: {
        const uint8_t* q = p;
        while (q < end && !unquoted_stop_[*q]) ++q;
        if (q != p) AMANAH_RETURN_IF_ERROR(Append(p, q - p));
        p = q;
        if (p == end) break;
        if (*p == delim) {
          AMANAH_RETURN_IF_ERROR(EndField());
          state_ = State::kFieldStart;
          ++p;
        } else if (*p == '\n') {
          AMANAH_RETURN_IF_ERROR(EndField());
          AMANAH_RETURN_IF_ERROR(EndRecord());
          ++line_;
          ++p;
        } else if (*p == '\r') {
          cr_on_empty_line_ = false;
          state_ = State::kCr;
          ++p;
        } else if (*p == '"') {
          return Fail(
              "a quote inside an unquoted field (quote the whole field and double "
              "the quotes in it)",
              fields_.size() + 1);
        } else {
          return Fail("a NUL byte (is the file UTF-16 or not text?)", fields_.size() + 1);
        }
        break;
      }

      case State::kQuoted: {
        const uint8_t* q = p;
        while (q < end && *q != '"' && *q != '\n' && *q != '\0') ++q;
        if (q != p) AMANAH_RETURN_IF_ERROR(Append(p, q - p));
        p = q;
        if (p == end) break;
        if (*p == '"') {
          state_ = State::kQuoteInQuoted;
        } else if (*p == '\n') {
          AMANAH_RETURN_IF_ERROR(Append(p, 1));
          ++line_;
        } else {
          return Fail("a NUL byte (is the file UTF-16 or not text?)", fields_.size() + 1);
        }
        ++p;
        break;
      }

      case State::kQuoteInQuoted:
        if (*p == '"') {  // "" inside quotes: one quote
          AMANAH_RETURN_IF_ERROR(Append(p, 1));
          state_ = State::kQuoted;
        } else if (*p == delim) {
          AMANAH_RETURN_IF_ERROR(EndField());
          state_ = State::kFieldStart;
        } else if (*p == '\n') {
          AMANAH_RETURN_IF_ERROR(EndField());
          AMANAH_RETURN_IF_ERROR(EndRecord());
          ++line_;
        } else if (*p == '\r') {
          cr_on_empty_line_ = false;
          state_ = State::kCr;
        } else {
          return Fail("text after the closing quote of a quoted field", fields_.size() + 1);
        }
        ++p;
        break;

      case State::kCr:
        // Outside quotes a CR must start a CRLF: a lone CR (classic Mac line end) is refused
        // rather than guessed at.
        if (*p != '\n') {
          return Fail(
              "a CR not followed by LF outside quotes (re-export with LF or CRLF "
              "line ends)",
              cr_on_empty_line_ ? 0 : fields_.size() + 1);
        }
        if (!cr_on_empty_line_) {
          AMANAH_RETURN_IF_ERROR(EndField());
          AMANAH_RETURN_IF_ERROR(EndRecord());
        }
        state_ = State::kRecordStart;
        ++line_;
        ++p;
        break;
    }
  }
  return Status::Ok();
}

Status CsvReader::Finish() {
  if (!error_.ok()) return error_;
  if (finished_) return InvalidArgument("CsvReader::Finish called twice");
  finished_ = true;
  if (!bom_decided_) AMANAH_RETURN_IF_ERROR(DecideBom());
  if (!delimiter_decided_) {
    AMANAH_RETURN_IF_ERROR(DetectDelimiter());
    std::string held = std::move(first_line_);
    first_line_.clear();
    AMANAH_RETURN_IF_ERROR(Parse(reinterpret_cast<const uint8_t*>(held.data()), held.size()));
  }
  switch (state_) {
    case State::kRecordStart:
      return Status::Ok();
    case State::kFieldStart:
    case State::kUnquoted:
    case State::kQuoteInQuoted:
      AMANAH_RETURN_IF_ERROR(EndField());
      return EndRecord();
    case State::kQuoted:
      return Fail("a quoted field is not closed at the end of the file", fields_.size() + 1);
    case State::kCr:
      return Fail("a CR not followed by LF at the end of the file",
                  cr_on_empty_line_ ? 0 : fields_.size() + 1);
  }
  return Internal("CsvReader: unknown state");
}

bool CsvReader::Next(CsvRecord& out) {
  if (!error_.ok() || ready_.empty()) return false;
  out = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

Result<std::vector<CsvRecord>> ParseCsv(ByteView whole, CsvOptions options) {
  AMANAH_ASSIGN_OR_RETURN(CsvReader reader, CsvReader::Create(options));
  AMANAH_RETURN_IF_ERROR(reader.Feed(whole));
  AMANAH_RETURN_IF_ERROR(reader.Finish());
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (reader.Next(r)) out.push_back(std::move(r));
  return out;
}

// --- Writer --------------------------------------------------------------------------------

std::string CsvEscapeField(std::string_view field, char delimiter) {
  std::string out;
  if (!field.empty()) {
    char c = field.front();
    if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
      out.push_back('\'');  // OWASP "CSV injection": shown as text, not run as a formula
    }
  }
  out.append(field);
  bool needs_quotes =
      out.find_first_of(std::string{'"', '\r', '\n', delimiter}) != std::string::npos;
  if (!needs_quotes) return out;
  std::string quoted = "\"";
  for (char c : out) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string CsvWriteRecord(const std::vector<std::string>& fields, char delimiter) {
  if (fields.size() == 1 && fields[0].empty()) return "\"\"\r\n";
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) out.push_back(delimiter);
    out += CsvEscapeField(fields[i], delimiter);
  }
  out += "\r\n";
  return out;
}

// --- Column mapping ------------------------------------------------------------------------

namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsImportField(std::string_view name) {
  return std::find(kImportFields.begin(), kImportFields.end(), name) != kImportFields.end();
}

// Header names recognised by the presets, in NormalizeHeader form. PresetField() takes the
// first match, so a header feeds at most one field even if a name were listed twice.
struct Alias {
  std::string_view field;
  std::string_view header;
};
constexpr Alias kSpreadsheetAliases[] = {
    {"given_name", "given_name"},
    {"given_name", "first_name"},
    {"given_name", "firstname"},
    {"given_name", "forename"},
    {"given_name", "first"},
    {"given_name", "الاسم_الأول"},
    {"given_name", "الاسم_الاول"},
    {"family_name", "family_name"},
    {"family_name", "surname"},
    {"family_name", "last_name"},
    {"family_name", "lastname"},
    {"family_name", "family"},
    {"family_name", "اسم_العائلة"},
    {"family_name", "الكنية"},
    {"family_name", "الشهرة"},
    {"full_name", "full_name"},
    {"full_name", "fullname"},
    {"full_name", "name"},
    {"full_name", "الاسم"},
    {"full_name", "الاسم_الكامل"},
    {"full_name", "الاسم_الثلاثي"},
    {"birth_year", "birth_year"},
    {"birth_year", "year_of_birth"},
    {"birth_year", "yob"},
    {"birth_year", "سنة_الميلاد"},
    {"role", "role"},
    {"role", "occupation"},
    {"role", "profession"},
    {"role", "job"},
    {"role", "المهنة"},
    {"role", "الدور"},
    {"role", "العمل"},
    {"district", "district"},
    {"district", "area"},
    {"district", "neighbourhood"},
    {"district", "neighborhood"},
    {"district", "locality"},
    {"district", "المنطقة"},
    {"district", "الحي"},
    {"needs", "needs"},
    {"needs", "special_needs"},
    {"needs", "الاحتياجات"},
    {"household_size", "household_size"},
    {"household_size", "household"},
    {"household_size", "family_size"},
    {"household_size", "hh_size"},
    {"household_size", "عدد_أفراد_الأسرة"},
    {"household_size", "عدد_افراد_الاسرة"},
    {"consent", "consent"},
    {"consent", "الموافقة"},
    {"phone", "phone"},
    {"phone", "phone_number"},
    {"phone", "mobile"},
    {"phone", "telephone"},
    {"phone", "tel"},
    {"phone", "الهاتف"},
    {"phone", "رقم_الهاتف"},
    {"phone", "الجوال"},
    {"notes", "notes"},
    {"notes", "note"},
    {"notes", "comments"},
    {"notes", "remarks"},
    {"notes", "ملاحظات"},
};
// Names that KoboToolbox forms tend to use, on top of the spreadsheet ones.
constexpr Alias kKoboAliases[] = {
    {"full_name", "person_name"},
    {"full_name", "name_of_person"},
    {"given_name", "person_first_name"},
    {"family_name", "person_family_name"},
    {"household_size", "household_members"},
};

// KoboToolbox and ODK submission metadata, in NormalizeHeader form: never a person's field.
// Kobo's "phonenumber" is the device's number, not the person's.
constexpr std::string_view kMetadataHeaders[] = {
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
    "instanceid",
    "instancename",
    "key",
    "submissiondate",
    "submitterid",
    "submittername",
    "attachmentspresent",
    "attachmentsexpected",
    "status",
    "reviewstate",
    "edits",
    "formversion",
    "meta/instanceid",
    "meta/instancename",
    "meta/deprecatedid",
    "meta/audit",
    "meta-instanceid",
    "meta-instancename",
    "meta-deprecatedid",
};

bool IsMetadataHeader(const std::string& norm) {
  if (!norm.empty() && norm.front() == '_') return true;  // _uuid, _id, _submission_time, ...
  if (norm.starts_with("meta/") || norm.starts_with("meta-")) return true;
  return std::find(std::begin(kMetadataHeaders), std::end(kMetadataHeaders), norm) !=
         std::end(kMetadataHeaders);
}

std::string_view PresetField(ColumnPreset preset, std::string_view key) {
  for (const Alias& a : kSpreadsheetAliases) {
    if (a.header == key) return a.field;
  }
  if (preset == ColumnPreset::kKobo) {
    for (const Alias& a : kKoboAliases) {
      if (a.header == key) return a.field;
    }
  }
  return {};
}

std::string Quoted(std::string_view header) { return "\"" + std::string(header) + "\""; }

}  // namespace

std::string NormalizeHeader(std::string_view header) {
  if (header.starts_with(kBom)) header.remove_prefix(kBom.size());
  header = TrimAscii(header);
  std::string out;
  out.reserve(header.size());
  bool in_sep = false;
  for (char c : header) {
    if (c == ' ' || c == '_' || IsAsciiSpace(c)) {
      if (!in_sep) out.push_back('_');
      in_sep = true;
      continue;
    }
    in_sep = false;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

Result<ColumnMapping> ColumnMapping::FromSpec(std::string_view spec) {
  ColumnMapping mapping;
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < spec.size() && IsAsciiSpace(spec[i])) ++i;
  };
  while (true) {
    skip_spaces();
    if (i == spec.size()) {
      if (mapping.columns.empty()) return InvalidArgument("empty column mapping");
      return InvalidArgument("column mapping ends with ','");
    }
    size_t eq = spec.find('=', i);
    if (eq == std::string_view::npos) {
      return InvalidArgument("column mapping: expected field=Header at offset " +
                             std::to_string(i));
    }
    std::string field(TrimAscii(spec.substr(i, eq - i)));
    if (!IsImportField(field)) {
      return InvalidArgument("column mapping: unknown field " + Quoted(field));
    }
    i = eq + 1;
    skip_spaces();
    std::string header;
    if (i < spec.size() && spec[i] == '"') {
      ++i;
      bool closed = false;
      while (i < spec.size()) {
        if (spec[i] == '"') {
          if (i + 1 < spec.size() && spec[i + 1] == '"') {
            header.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        header.push_back(spec[i++]);
      }
      if (!closed) return InvalidArgument("column mapping: unclosed quote for " + field);
      skip_spaces();
      if (i < spec.size() && spec[i] != ',') {
        return InvalidArgument("column mapping: text after the quoted header for " + field);
      }
    } else {
      size_t comma = spec.find(',', i);
      if (comma == std::string_view::npos) comma = spec.size();
      header = std::string(TrimAscii(spec.substr(i, comma - i)));
      i = comma;
    }
    if (NormalizeHeader(header).empty()) {
      return InvalidArgument("column mapping: empty header for " + field);
    }
    for (const auto& [f, h] : mapping.columns) {
      if (f == field) return InvalidArgument("column mapping: field " + field + " given twice");
      if (NormalizeHeader(h) == NormalizeHeader(header)) {
        return InvalidArgument("column mapping: header " + Quoted(header) + " maps twice (" + f +
                               " and " + field + ")");
      }
    }
    mapping.columns.emplace_back(std::move(field), std::move(header));
    if (i == spec.size()) return mapping;
    ++i;  // the ','
  }
}

Result<ColumnMapper> ColumnMapper::Create(const ColumnMapping& mapping, const CsvRecord& header) {
  const auto& names = header.fields;
  std::vector<std::string> norm(names.size());
  for (size_t c = 0; c < names.size(); ++c) {
    norm[c] = NormalizeHeader(names[c]);
    if (norm[c].empty()) continue;  // blank trailing columns of a spreadsheet
    for (size_t d = 0; d < c; ++d) {
      if (norm[d] == norm[c]) {
        return InvalidArgument("duplicate header: columns " + std::to_string(d + 1) + " and " +
                               std::to_string(c + 1) + " have the same header");
      }
    }
  }

  ColumnMapper mapper;
  mapper.header_size_ = names.size();
  std::vector<std::string> column_field(names.size());  // the field each column feeds
  std::set<std::string> mapped;
  auto bind = [&](const std::string& field, size_t c) -> Status {
    if (!column_field[c].empty()) {
      return InvalidArgument("column " + std::to_string(c + 1) + " maps twice (" +
                             column_field[c] + " and " + field + ")");
    }
    if (mapped.count(field)) {
      return InvalidArgument("field " + field + " maps to two headers");
    }
    column_field[c] = field;
    mapped.insert(field);
    mapper.field_columns_.emplace_back(field, c);
    mapper.resolved_headers_[field] = names[c];
    return Status::Ok();
  };

  for (const auto& [field, wanted] : mapping.columns) {
    if (!IsImportField(field)) {
      return InvalidArgument("column mapping: unknown field " + Quoted(field));
    }
    std::string key = NormalizeHeader(wanted);
    auto it = key.empty() ? norm.end() : std::find(norm.begin(), norm.end(), key);
    if (it == norm.end()) {
      return InvalidArgument("no header " + Quoted(wanted) + " for " + field);
    }
    AMANAH_RETURN_IF_ERROR(bind(field, it - norm.begin()));
  }

  const bool kobo = mapping.preset == ColumnPreset::kKobo;
  std::vector<bool> metadata(names.size(), false);
  if (mapping.preset != ColumnPreset::kNone) {
    // field -> the columns the preset finds for it
    std::map<std::string, std::vector<size_t>> found;
    for (size_t c = 0; c < names.size(); ++c) {
      if (norm[c].empty() || !column_field[c].empty()) continue;
      if (kobo && IsMetadataHeader(norm[c])) {
        metadata[c] = true;
        continue;
      }
      std::string_view field = PresetField(mapping.preset, norm[c]);
      if (field.empty() && kobo) {
        // group_abc/person/name: the last group path segment names the question
        size_t slash = norm[c].rfind('/');
        if (slash != std::string::npos) {
          field = PresetField(mapping.preset, std::string_view(norm[c]).substr(slash + 1));
        }
      }
      if (field.empty() || mapped.count(std::string(field))) continue;
      found[std::string(field)].push_back(c);
    }
    for (const auto& [field, columns] : found) {
      if (columns.size() > 1) {
        return InvalidArgument("field " + field + " matches two columns, " +
                               std::to_string(columns[0] + 1) + " and " +
                               std::to_string(columns[1] + 1) + "; map it explicitly");
      }
      AMANAH_RETURN_IF_ERROR(bind(field, columns[0]));
    }
  }

  for (const std::string& field : mapping.required) {
    if (!IsImportField(field)) {
      return InvalidArgument("column mapping: unknown required field " + Quoted(field));
    }
    if (!mapped.count(field)) {
      return InvalidArgument("required field " + field + " has no column (is the first line " +
                             "a header row?)");
    }
  }
  if (mapping.require_name && !mapped.count("full_name") && !mapped.count("given_name")) {
    return InvalidArgument(
        "no name column: map full_name, or given_name (and family_name); is the first line a "
        "header row?");
  }

  for (size_t c = 0; c < names.size(); ++c) {
    if (!norm[c].empty() && column_field[c].empty() && !metadata[c]) {
      mapper.ignored_headers_.push_back(names[c]);
    }
  }
  return mapper;
}

Result<MappedRow> ColumnMapper::Map(const CsvRecord& row) const {
  MappedRow out;
  AMANAH_RETURN_IF_ERROR(MapInto(row, out));
  return out;
}

Status ColumnMapper::MapInto(const CsvRecord& row, MappedRow& out) const {
  if (row.fields.size() != header_size_) {
    return Malformed("CSV line " + std::to_string(row.line) + ": the record has " +
                     FieldCount(row.fields.size()) + ", the header has " +
                     std::to_string(header_size_));
  }
  out.line = row.line;
  for (const auto& [field, c] : field_columns_) out.fields[field] = row.fields[c];
  return Status::Ok();
}

}  // namespace amanah
