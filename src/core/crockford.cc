#include "crockford.h"

namespace amanah::crockford {

int DataValue(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  // Only the first 32 symbols are data symbols.
  size_t i = kSymbols.substr(0, 32).find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

int CheckValue(char c) {
  int v = DataValue(c);
  if (v >= 0) return v;
  if (c == 'u') c = 'U';
  size_t i = kSymbols.substr(32).find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(32 + i);
}

}  // namespace amanah::crockford
