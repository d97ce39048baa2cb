#pragma once

#include <juce_core/juce_core.h>

namespace earshot::cli
{

/** Walks a command's arguments once, for the option loops of the commands:

        ArgumentReader reader (args);
        while (reader.next())
        {
            if (reader.current() == "--jobs")
                jobs = reader.value().getIntValue();
            else if (reader.current().startsWith ("-"))
                reader.refuse ("unknown option '" + reader.current() + "'");
            ...
        }
        if (reader.failed()) ... reader.error() ...

    The first problem is the one reported: refuse() keeps the first message it is
    given. Any thread; one reader per parse.
*/
class ArgumentReader final
{
public:
    /** Reads `args` from index `first` on (the arguments before it are the caller's). */
    explicit ArgumentReader (const juce::StringArray& args, int first = 0);

    /** Moves to the next argument. @returns false once every argument was read. */
    bool next() noexcept;

    /** The argument next() moved to. */
    const juce::String& current() const noexcept;

    /** Takes the argument after current() as its value. When there is none, refuses
        with "OPTION needs a value" and returns an empty string. */
    juce::String value();

    /** Records a usage error, unless one was recorded before. */
    void refuse (const juce::String& message);

    bool failed() const noexcept { return firstError.isNotEmpty(); }
    const juce::String& error() const noexcept { return firstError; }

private:
    const juce::StringArray& args;
    int index;
    juce::String firstError;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (ArgumentReader)
};

} // namespace earshot::cli
