// The demo's synthetic list (demo_people.h). Every name here is invented from common given
// and family names, spelled the ways list keepers spell them.
#include "demo_people.h"

#include <array>
#include <cstdio>

#include "amanah/csv.h"

namespace amanah::cli::demo {
namespace {

struct Name {
  const char* arabic;
  std::array<const char*, 3> latin;  // spelling variants seen in lists
};

constexpr std::array<Name, 14> kGiven = {{
    {"محمد", {"Mohammed", "Muhammad", "Mohamad"}},
    {"أحمد", {"Ahmad", "Ahmed", "Ahmad"}},
    {"عمر", {"Omar", "Umar", "Omar"}},
    {"يوسف", {"Yousef", "Youssef", "Yusuf"}},
    {"خالد", {"Khaled", "Khalid", "Khaled"}},
    {"فاطمة", {"Fatima", "Fatma", "Fatimah"}},
    {"ليلى", {"Layla", "Leila", "Laila"}},
    {"نور", {"Nour", "Noor", "Nur"}},
    {"رنا", {"Rana", "Rana", "Ranaa"}},
    {"سارة", {"Sara", "Sarah", "Sara"}},
    {"حسن", {"Hassan", "Hasan", "Hassan"}},
    {"مريم", {"Maryam", "Mariam", "Meryem"}},
    {"إبراهيم", {"Ibrahim", "Ebrahim", "Ibraheem"}},
    {"هبة", {"Hiba", "Heba", "Hibah"}},
}};

constexpr std::array<Name, 12> kFamily = {{
    {"الحلبي", {"al-Halabi", "Halabi", "Al Halabi"}},
    {"الشامي", {"al-Shami", "Shami", "el-Shami"}},
    {"عبد الله", {"Abdullah", "Abdallah", "Abd Allah"}},
    {"حداد", {"Haddad", "Hadad", "Haddad"}},
    {"قباني", {"Kabbani", "Qabbani", "Kabani"}},
    {"السيد", {"al-Sayed", "Sayed", "el-Sayyed"}},
    {"النجار", {"al-Najjar", "Najjar", "Naggar"}},
    {"الخطيب", {"al-Khatib", "Khatib", "al-Khateeb"}},
    {"زيدان", {"Zeidan", "Zaidan", "Zidan"}},
    {"العلي", {"al-Ali", "Alali", "el-Ali"}},
    {"حمدان", {"Hamdan", "Hamdan", "Hemdan"}},
    {"الأتاسي", {"al-Atassi", "Atassi", "Atasi"}},
}};

const char* Role(int i) {
  const int r = (i * 11) % 60;  // a permutation of 0..59: 14 medics, 12 journalists...
  if (r < 14) return "medic";
  if (r < 26) return "journalist";
  if (r < 40) return "aid";
  if (r < 56) return "rescue";
  return "lawyer";
}

const char* District(int i) {
  const int d = (i * 13) % 60;
  if (d < 14) return "al-Mashhad";
  if (d < 25) return "Bustan al-Qasr";
  if (d < 35) return "al-Kalaseh";
  if (d < 44) return "al-Sukkari";
  if (d < 52) return "al-Ansari";
  if (d < 57) return "al-Shaar";
  return "Salah al-Din";
}

}  // namespace

std::vector<ListRow> SyntheticList(int count) {
  std::vector<ListRow> rows;
  constexpr int kPairs = static_cast<int>(kGiven.size() * kFamily.size());
  for (int i = 0; i < count; ++i) {
    const int pair = (i * 37) % kPairs;  // distinct pairs for the first kPairs rows
    const Name& given = kGiven[pair % kGiven.size()];
    const Name& family = kFamily[pair / kGiven.size()];
    ListRow row;
    row.role = Role(i);
    const bool doctor = row.role == std::string("medic") && i % 2 == 0;
    if (i % 2 == 0) {
      row.name = std::string(doctor ? "د. " : "") + given.arabic + " " + family.arabic;
    } else {
      row.name = std::string(doctor ? "Dr. " : "") + given.latin[i % 3] + " " +
                 family.latin[(i / 3) % 3];
    }
    row.birth_year = std::to_string(1950 + (i * 17) % 50);
    row.district = District(i);
    if (i % 7 == 3) row.needs = "medical";
    if (i % 11 == 5) row.needs += row.needs.empty() ? "mobility" : ",mobility";
    row.household = std::to_string(1 + (i * 5) % 6);
    if (i % 10 == 3) {
      row.consent = "ngo";
    } else if (i % 10 == 7) {
      row.consent = "icrc,ngo";
    } else if (i % 4 == 0) {
      row.consent = "un,icrc,ngo,government";
    } else {
      row.consent = "un,icrc,ngo";
    }
    if (i % 3 != 1) {
      char phone[32];
      std::snprintf(phone, sizeof phone, "09%02d %03d %03d", 30 + i % 60, (i * 173) % 1000,
                    (i * 389) % 1000);
      row.phone = phone;
    }
    if (i % 9 == 2) row.notes = "speaks Kurdish, neighbours call them \"the teacher\"";
    if (i % 9 == 5) row.notes = "يحتاج إنسولين، مبرّد";
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ListCsv(const std::vector<ListRow>& rows) {
  std::string csv = "\xEF\xBB\xBF";  // spreadsheets write a BOM before UTF-8
  csv += CsvWriteRecord({"الاسم الكامل", "Year of Birth", "Occupation", "Area", "Needs",
                         "Household Size", "Consent", "Phone", "Notes"});
  for (const ListRow& r : rows) {
    csv += CsvWriteRecord({r.name, r.birth_year, r.role, r.district, r.needs, r.household,
                           r.consent, r.phone, r.notes});
  }
  return csv;
}

}  // namespace amanah::cli::demo
