// PLACEHOLDER: replaced by the owner of RecommendCommand.
#include "Cli/RecommendCommand.h"

namespace earshot::cli
{
int recommendCommand (const juce::StringArray&, std::ostream&, std::ostream& err, std::ostream*)
{
    err << "earshot recommend: not built yet\n";
    return 2;
}
juce::String recommendUsage() { return {}; }
int feedbackCommand (const juce::StringArray&, std::ostream&, std::ostream& err)
{
    err << "earshot feedback: not built yet\n";
    return 2;
}
juce::String feedbackUsage() { return {}; }
} // namespace earshot::cli
