#include "store/clear_columns.h"

#include <string_view>

#include "amanah/record.h"

namespace amanah::registry::store_internal {

Result<ClearColumns> ParseClearColumns(ByteView attributes) {
  Result<std::vector<record::AttributeView>> parsed = record::ParseAttributeViews(attributes);
  if (!parsed.ok()) return Malformed("record attributes do not parse");
  ClearColumns columns;
  auto get = [&](std::string_view key) -> std::string_view {
    for (const auto& [k, v] : *parsed) {
      if (k == key) return v;
    }
    return {};
  };
  columns.role = get("role");
  columns.district = get("district");
  columns.list = get("list");
  const std::string_view needs = get("needs");
  if (!needs.empty() && needs != "none") {
    std::string_view rest = needs;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view need = rest.substr(0, comma);
      if (!need.empty()) columns.needs.emplace(need);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return columns;
}

}  // namespace amanah::registry::store_internal
