// Vectors for docs/spec.md §2 (pseudonym IDs). Random draws come from SeededRandom("ids") and
// are recorded in the files.
#include <cstdlib>
#include <iostream>

#include "amanah/bytes.h"
#include "amanah/pseudonym.h"
#include "vectorgen.h"

namespace amanah::vectorgen {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view kSymbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";

Pseudonym MustValue(uint64_t v) {
  auto p = Pseudonym::FromValue(v);
  if (!p.ok()) {
    std::cerr << "gen_ids: bad value\n";
    std::abort();
  }
  return *p;
}

// Independent of the library: the §2.2 encoding written out again.
std::string Encode(uint64_t v) {
  std::string s;
  for (int i = 9; i >= 0; --i) s.push_back(kSymbols[(v >> (5 * i)) & 31]);
  s.push_back(kSymbols[v % 37]);
  return s.substr(0, 4) + "-" + s.substr(4, 4) + "-" + s.substr(8);
}

json Valid(const Pseudonym& p) {
  if (Encode(p.value()) != p.ToString()) {
    std::cerr << "gen_ids: library and generator disagree\n";
    std::abort();
  }
  return json{{"value", p.value()},
              {"check_value", p.value() % 37},
              {"canonical", p.ToString()},
              {"record_id", ToHex(p.RecordId())},
              {"qr_payload", p.QrPayload()}};
}

json Doc(std::string description, std::string expect) {
  return json{{"description", std::move(description)}, {"expect", std::move(expect)}};
}

void ExpectOutcome(std::string_view input, bool ok) {
  if (Pseudonym::Parse(input).ok() != ok) {
    std::cerr << "gen_ids: unexpected outcome for a vector input\n";
    std::abort();
  }
}

}  // namespace

std::vector<VectorFile> GenerateIdVectors() {
  std::vector<VectorFile> out;
  DeterministicRandom rng = SeededRandom("ids");

  {  // The example of DESIGN.md.
    json j =
        Doc("The example ID of the design brief: value 489855753079063, check symbol K.", "ok");
    j["input"] = "DXGN-Q2EJ-8QK";
    j.update(Valid(MustValue(489855753079063)));
    out.push_back({"pseudonym-example.json", j});
  }

  {  // Generation from random bytes (§2.1).
    json j = Doc("Pseudonym.Generate: value = OS2IP(8 random bytes) mod 2^50.", "ok");
    json cases = json::array();
    for (int i = 0; i < 8; ++i) {
      std::array<uint8_t, 8> r;
      rng.Fill(r);
      uint64_t v = 0;
      for (uint8_t b : r) v = v << 8 | b;
      json c{{"random_bytes", ToHex(r)}};
      c.update(Valid(MustValue(v & (Pseudonym::kLimit - 1))));
      cases.push_back(c);
    }
    j["cases"] = cases;
    out.push_back({"pseudonym-generate.json", j});
  }

  {  // Boundary values and every check-only symbol (§2.2).
    json j = Doc("Boundary values, and values whose check symbol is each of * ~ $ = U.", "ok");
    json cases = json::array();
    for (uint64_t v :
         {uint64_t{0}, uint64_t{1}, uint64_t{31}, uint64_t{32}, uint64_t{33}, uint64_t{34},
          uint64_t{35}, uint64_t{36}, uint64_t{37}, Pseudonym::kLimit - 1}) {
      cases.push_back(Valid(MustValue(v)));
    }
    j["cases"] = cases;
    out.push_back({"pseudonym-values.json", j});
  }

  {  // Crockford aliases (§2.3).
    json j =
        Doc("Inputs a person may type, each accepted as the canonical ID: lower case, O for 0, I "
            "and L for 1, u for U as check symbol, hyphens missing, extra or misplaced.",
            "ok");
    // 0110-0ABC-DE? with check 36 (U): the nearest such value above "01100ABCDE".
    uint64_t v = 0;
    for (char c : std::string_view("01100ABCDE")) v = v << 5 | kSymbols.find(c);
    while (v % 37 != 36) ++v;
    std::string canon_u = MustValue(v).ToString();
    // Lower case with aliases: "oIl0-oabc-d?u".
    std::string aliased_u = canon_u;
    for (char& ch : aliased_u) ch = static_cast<char>(std::tolower(ch));
    aliased_u[0] = 'o';
    aliased_u[1] = 'I';
    aliased_u[2] = 'l';
    aliased_u[5] = 'o';
    json cases = json::array();
    auto add = [&](std::string input, const std::string& canonical) {
      ExpectOutcome(input, true);
      cases.push_back(json{{"input", input}, {"canonical", canonical}});
    };
    add("dxgn-q2ej-8qk", "DXGN-Q2EJ-8QK");
    add("DXGNQ2EJ8QK", "DXGN-Q2EJ-8QK");
    add("-DXGN--Q2EJ-8QK-", "DXGN-Q2EJ-8QK");
    add("D-X-G-N-Q-2-E-J-8-Q-K", "DXGN-Q2EJ-8QK");
    add("DXG-NQ2-EJ8-QK", "DXGN-Q2EJ-8QK");
    add("dXgN-q2Ej-8Qk", "DXGN-Q2EJ-8QK");
    add(canon_u, canon_u);
    add(aliased_u, canon_u);
    // An ID whose check symbol is itself an alias target: value with check 0 or 1.
    uint64_t w = 0;
    for (char ch : std::string_view("1100ABCDEF")) w = w << 5 | kSymbols.find(ch);
    while (w % 37 != 1) ++w;
    std::string cw = MustValue(w).ToString();
    std::string aw = cw;
    for (char& ch : aw) {
      if (ch == '1')
        ch = 'l';
      else if (ch == '0')
        ch = 'O';
    }
    aw.back() = 'I';
    add(aw, cw);
    j["cases"] = cases;
    out.push_back({"pseudonym-aliases.json", j});
  }

  {  // Typing errors caught by the check symbol (§2.3).
    json j =
        Doc("Well-formed IDs with one symbol substituted (data or check) or two neighbouring "
            "symbols swapped: the check symbol does not match.",
            "malformed");
    j["error"] = "check symbol does not match";
    json cases = json::array();
    std::vector<std::string> bases = {"DXGNQ2EJ8QK"};
    for (int i = 0; i < 3; ++i) {
      std::string s = Encode(Pseudonym::Generate(rng).value());
      s.erase(9, 1);
      s.erase(4, 1);
      bases.push_back(s);
    }
    for (const std::string& base : bases) {
      // Substitute position (3 * k) % 11 with the next symbol, and swap neighbours k, k+1.
      for (int k = 0; k < 11; k += 2) {
        std::string s = base;
        int alphabet = k == 10 ? 37 : 32;
        int cur = static_cast<int>(kSymbols.find(s[k]));
        s[k] = kSymbols[(cur + 1 + k) % alphabet];
        if (s[k] == base[k]) s[k] = kSymbols[(cur + 2) % alphabet];
        ExpectOutcome(s, false);
        cases.push_back(json{{"input", s}, {"from", base}, {"mistake", "substitution"}});
      }
      for (int k = 0; k + 1 < 11; k += 3) {
        std::string s = base;
        if (s[k] == s[k + 1]) continue;
        std::swap(s[k], s[k + 1]);
        if (k == 9 && kSymbols.find(s[9]) >= 32) continue;  // not a data symbol: malformed
        ExpectOutcome(s, false);
        cases.push_back(json{{"input", s}, {"from", base}, {"mistake", "swap"}});
      }
    }
    j["cases"] = cases;
    out.push_back({"pseudonym-bad-check.json", j});
  }

  {  // Everything else that is not an ID (§2.3).
    json j =
        Doc("Inputs that are not IDs: wrong length, characters outside the alphabet.", "malformed");
    json cases = json::array();
    for (std::string input : {
             std::string(""), std::string("-"), std::string("---"), std::string("DXGN-Q2EJ-8Q"),
             std::string("DXGN-Q2EJ-8QKK"), std::string("DXGN-Q2EJ-8QK0"),
             std::string("DXGN Q2EJ 8QK"), std::string("DXGN_Q2EJ_8QK"),
             std::string(" DXGN-Q2EJ-8QK"), std::string("DXGN-Q2EJ-8QK\n"),
             std::string("UXGN-Q2EJ-8QK"), std::string("DXGN-Q2EJ-8UK"),
             std::string("*XGN-Q2EJ-8QK"), std::string("DXGN-Q2EJ-8Q\0", 13),
             std::string("DXGN-Q2EJ-8Q?"),
             std::string("\xD9\xA4\xD9\xA8\xD9\xA9\xD9\xA8\xD9\xA5\xD9\xA5\xD9\xA7\xD9\xA5"
                         "\xD9\xA3\xD9\xA0\xD9\xA7"),  // Arabic-Indic digits ٤٨٩٨٥٥٧٥٣٠٧
             std::string("\xEF\xBC\xA4XGN-Q2EJ-8QK"),  // fullwidth D
             std::string("DXGN\xE2\x80\x90Q2EJ\xE2\x80\x90"
                         "8QK"),  // U+2010 hyphen
         }) {
      ExpectOutcome(input, false);
      cases.push_back(json{{"input", input}, {"input_hex", ToHex(AsBytes(input))}});
    }
    j["cases"] = cases;
    out.push_back({"pseudonym-malformed.json", j});
  }

  {  // QR payload (§2.4).
    json j =
        Doc("The QR payload of an ID card: \"AMANAH:ID:\" followed by the canonical ID.", "ok");
    j["input"] = "AMANAH:ID:DXGN-Q2EJ-8QK";
    j.update(Valid(MustValue(489855753079063)));
    out.push_back({"pseudonym-qr.json", j});
  }

  {
    json j =
        Doc("QR payloads that are not byte-for-byte canonical: a scanner accepts no aliases, no "
            "lower case and no stray hyphens.",
            "malformed");
    json cases = json::array();
    for (std::string input :
         {"AMANAH:ID:dxgn-q2ej-8qk", "amanah:id:DXGN-Q2EJ-8QK", "AMANAH:ID:DXGNQ2EJ8QK",
          "AMANAH:ID:DXGN-Q2EJ-8QK-", "AMANAH:ID: DXGN-Q2EJ-8QK", "AMANAH:ID:DXGN-Q2EJ-8QK\n",
          "AMANAH:DXGN-Q2EJ-8QK", "DXGN-Q2EJ-8QK", "AMANAH:ID:DXGN-Q2EJ-8QM", ""}) {
      if (Pseudonym::ParseQrPayload(input).ok()) std::abort();
      cases.push_back(json{{"input", input}});
    }
    j["cases"] = cases;
    out.push_back({"pseudonym-qr-malformed.json", j});
  }
  return out;
}

}  // namespace amanah::vectorgen
