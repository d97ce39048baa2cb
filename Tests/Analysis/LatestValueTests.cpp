#include "Analysis/LatestValue.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace earshot;

namespace
{
struct Triple
{
    uint64_t a = 0, b = 0, c = 0;
};
} // namespace

TEST_CASE ("LatestValue returns the default until something is published", "[analysis][latest]")
{
    LatestValue<Triple> value;
    CHECK (value.read().a == 0);
    value.back() = { 7, 14, 21 };
    CHECK (value.read().a == 0);
    value.publish();
    CHECK (value.read().a == 7);
    CHECK (value.read().a == 7);
}

TEST_CASE ("LatestValue under two real threads: never torn, never older than before", "[analysis][latest][threads]")
{
    constexpr uint64_t numValues = 200000;
    LatestValue<Triple> value;

    std::thread writer (
        [&]
        {
            for (uint64_t i = 1; i <= numValues; ++i)
            {
                value.back() = { i, i * 2, i * 3 };
                value.publish();
            }
        });

    uint64_t last = 0, torn = 0, wentBack = 0;
    while (last < numValues)
    {
        const auto& seen = value.read();
        torn += (seen.b == seen.a * 2 && seen.c == seen.a * 3) ? 0u : 1u;
        wentBack += seen.a < last ? 1u : 0u;
        last = seen.a;
    }
    writer.join();

    CHECK (torn == 0);
    CHECK (wentBack == 0);
    CHECK (value.read().a == numValues);
}
