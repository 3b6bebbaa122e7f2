// The demo's synthetic list: people of east Aleppo as a list keeper would export them from a
// spreadsheet (Arabic and Latin names with their usual spelling variants, roles, districts,
// needs, households, consent), and the CSV file that carries them. Every person is invented;
// the generator is deterministic so that the demo tells the same story on every run.
//
// Thread safety: pure functions.
#ifndef AMANAH_CLI_DEMO_PEOPLE_H_
#define AMANAH_CLI_DEMO_PEOPLE_H_

#include <string>
#include <vector>

namespace amanah::cli::demo {

// One row of the list keeper's spreadsheet, as text.
struct ListRow {
  std::string name;        // Arabic or Latin script
  std::string birth_year;  // "1979"
  std::string role;        // medic | journalist | aid | rescue | lawyer
  std::string district;    // a district of east Aleppo
  std::string needs;       // "", "medical", "mobility", "medical,mobility"
  std::string household;   // "1".."6"
  std::string consent;     // "un,icrc,ngo" ...
  std::string phone;       // synthetic, may be empty
  std::string notes;       // free text, may hold commas and quotes
};

// `count` rows, the same on every run.
std::vector<ListRow> SyntheticList(int count);

// The spreadsheet export of `rows`: a UTF-8 BOM, an Arabic and English header, CRLF lines,
// quoted fields where needed (csv.h's writer).
std::string ListCsv(const std::vector<ListRow>& rows);

}  // namespace amanah::cli::demo

#endif  // AMANAH_CLI_DEMO_PEOPLE_H_
