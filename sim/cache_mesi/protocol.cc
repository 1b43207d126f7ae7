#include "sim/cache_mesi/protocol.h"

namespace smpsim::cache_mesi {

std::string_view to_string(State s) {
    switch (s) {
    case State::I: return "I";
    case State::S: return "S";
    case State::E: return "E";
    case State::M: return "M";
    case State::S_Q: return "S_Q";
    }
    return "?";
}

std::string_view to_string(Event e) {
    switch (e) {
    case Event::Load: return "Load";
    case Event::Store: return "Store";
    case Event::Replacement: return "Replacement";
    case Event::InvApply: return "InvApply";
    case Event::FwdGetS: return "FwdGetS";
    case Event::FwdGetM: return "FwdGetM";
    case Event::Inv: return "Inv";
    case Event::DmaRead: return "DmaRead";
    case Event::DmaWrite: return "DmaWrite";
    }
    return "?";
}

std::string_view to_string(MemoryModel m) {
    return m == MemoryModel::Tso ? "tso" : "weak";
}

std::string action_names(u16 actions) {
    static constexpr std::pair<u16, const char*> kNames[] = {
        {kImpossible, "Impossible"}, {kApplyQueueTo, "ApplyQueueTo"}, {kIssueGetS, "IssueGetS"},
        {kIssueGetM, "IssueGetM"},   {kIssueUpgrade, "IssueUpgrade"}, {kExclusiveIfSole, "ExclusiveIfSole"},
        {kReadHit, "ReadHit"},       {kReadStale, "ReadStale"},       {kWrite, "Write"},
        {kSupplyData, "SupplyData"}, {kWriteBack, "WriteBack"},       {kQueueInv, "QueueInv"},
        {kInvalidate, "Invalidate"},
    };
    std::string out;
    for (auto [bit, name] : kNames) {
        if (!(actions & bit)) continue;
        if (!out.empty()) out += '|';
        out += name;
    }
    return out.empty() ? "None" : out;
}

} // namespace smpsim::cache_mesi
