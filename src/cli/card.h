// A person's card (the pseudonym as text and as a QR code, nothing else about the person),
// shared by `amanah card` and `amanah enrol --card`. card_cmd.cc holds the drawing code.
//
// Thread safety: pure functions.
#ifndef AMANAH_CLI_CARD_H_
#define AMANAH_CLI_CARD_H_

#include <string>
#include <string_view>

#include "amanah/pseudonym.h"
#include "amanah/status.h"

namespace amanah::cli {

// The card's bytes in `format` ("svg" or "png"; else kInvalidArgument).
Result<std::string> RenderCard(const Pseudonym& id, std::string_view format);

// Renders the card and writes it to `path` atomically (kConflict if it exists and not
// `overwrite`).
Status WriteCard(const Pseudonym& id, std::string_view format, const std::string& path,
                 bool overwrite);

}  // namespace amanah::cli

#endif  // AMANAH_CLI_CARD_H_
