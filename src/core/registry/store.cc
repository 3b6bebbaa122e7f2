// The defaults of store.h's enumeration methods, for StateViews that are not a store's (the
// rules' test fakes). Every Store's views override them.
#include "amanah/registry/store.h"

namespace amanah::registry {
namespace {

Status CannotEnumerate() { return Internal("this view cannot enumerate its contents"); }

}  // namespace

Result<std::vector<std::string>> StateView::MetaKeys() { return CannotEnumerate(); }
Result<std::vector<Pseudonym>> StateView::RecordIds() { return CannotEnumerate(); }
Result<std::vector<Id16>> StateView::PlanIds() { return CannotEnumerate(); }
Result<std::vector<Id16>> StateView::ReleaseIds() { return CannotEnumerate(); }

}  // namespace amanah::registry
