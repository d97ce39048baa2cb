#include "Cli/CommandLine.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <streambuf>
#include <unistd.h>

namespace
{
/** Standard output through a buffer that remembers why a write failed, so that a
    report that never reached its file (a full disk, a closed pipe) is an error
    with its reason rather than a success. */
class StandardOutput final : public std::streambuf
{
public:
    StandardOutput() { setp (buffer.data(), buffer.data() + buffer.size()); }
    ~StandardOutput() override { sync(); }

    /** The errno of the first failed write, or 0. */
    int failure() const noexcept { return error; }

protected:
    int_type overflow (int_type c) override
    {
        if (! drain())
            return traits_type::eof();
        if (! traits_type::eq_int_type (c, traits_type::eof()))
        {
            *pptr() = traits_type::to_char_type (c);
            pbump (1);
        }
        return traits_type::not_eof (c);
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    bool drain()
    {
        for (auto* next = pbase(); next < pptr();)
        {
            const auto written = ::write (STDOUT_FILENO, next, static_cast<size_t> (pptr() - next));
            if (written < 0 && errno == EINTR)
                continue;
            if (written <= 0)
            {
                if (error == 0)
                    error = written < 0 ? errno : EIO;
                setp (buffer.data(), buffer.data() + buffer.size()); // drop it: it cannot be written
                return false;
            }
            next += written;
        }
        setp (buffer.data(), buffer.data() + buffer.size());
        return error == 0;
    }

    std::array<char, 1 << 16> buffer {};
    int error = 0;
};
} // namespace

int main (int argc, char* argv[])
{
    juce::StringArray args;
    juce::String error;
    if (! earshot::cli::argumentsFromUtf8 (std::vector<std::string> (argv + 1, argv + argc), args, error))
    {
        std::cerr << "earshot: " << error << "\n";
        return 2;
    }

    StandardOutput output;
    std::ostream out (&output);
    // Progress only where a person is watching.
    const auto status = earshot::cli::run (args, out, std::cerr, isatty (STDERR_FILENO) ? &std::cerr : nullptr);
    out.flush();
    if (output.failure() != 0)
    {
        std::cerr << "earshot: cannot write the output: " << std::strerror (output.failure()) << "\n";
        return status == 0 ? 1 : status;
    }
    return status;
}
