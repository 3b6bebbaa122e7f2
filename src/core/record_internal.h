// SealedRecord::Parse with C1 decoded into libdecaf's representation (msm.h), for a custodian
// who then needs the point for a proof's sums: one strict decode instead of libsodium's check
// followed by libdecaf's decode.
//
// Internal to src/core. Thread safety: pure functions.
#ifndef AMANAH_SRC_CORE_RECORD_INTERNAL_H_
#define AMANAH_SRC_CORE_RECORD_INTERNAL_H_

#include "amanah/record.h"
#include "msm.h"

namespace amanah::record::internal {

// Exactly SealedRecord::Parse (the same bytes refused, with the same errors: bit 255, a
// non-canonical encoding and the identity are "not a canonical ristretto255 element"), and
// on success `c1_point` is the record's C1 decoded.
Result<SealedRecord> ParseDecoded(ByteView bytes, msm::Point& c1_point);

}  // namespace amanah::record::internal

#endif  // AMANAH_SRC_CORE_RECORD_INTERNAL_H_
