#include "Cli/ArgumentReader.h"

namespace earshot::cli
{

ArgumentReader::ArgumentReader (const juce::StringArray& argsToRead, int first)
    : args (argsToRead)
    , index (first - 1)
{
}

bool ArgumentReader::next() noexcept
{
    if (index < args.size())
        ++index;
    return index < args.size();
}

const juce::String& ArgumentReader::current() const noexcept
{
    return args[index]; // an empty string out of range
}

juce::String ArgumentReader::value()
{
    if (index + 1 < args.size())
        return args[++index];
    refuse (current() + " needs a value");
    return {};
}

void ArgumentReader::refuse (const juce::String& message)
{
    if (firstError.isEmpty())
        firstError = message;
}

} // namespace earshot::cli
