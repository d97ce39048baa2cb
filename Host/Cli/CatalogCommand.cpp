// PLACEHOLDER: replaced by the owner of CatalogCommand.
#include "Cli/CatalogCommand.h"

namespace earshot::cli
{
int catalogCommand (const juce::StringArray&, std::ostream&, std::ostream& err, std::ostream*)
{
    err << "earshot catalog: not built yet\n";
    return 2;
}
juce::String catalogUsage() { return {}; }
} // namespace earshot::cli
