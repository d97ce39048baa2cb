#include "Features/Silence.h"

#include <algorithm>
#include <cmath>

namespace earshot
{

void Silence::prepare (float thresholdDbfs, double minSeconds, double frameRate) noexcept
{
    threshold = thresholdDbfs;
    minFrames = std::max<int64_t> (1, static_cast<int64_t> (std::ceil (minSeconds * frameRate)));
    frame = 0;
    runStart = -1;
    totalSilent = 0;
    confirmed = false;
}

Silence::Change Silence::process (float levelDbfs) noexcept
{
    const auto current = frame++;
    // -inf (digital silence) compares below any threshold, as it should.
    if (levelDbfs < threshold)
    {
        if (runStart < 0)
            runStart = current;
        if (confirmed)
        {
            ++totalSilent;
            return Change::none;
        }
        if (current - runStart + 1 >= minFrames)
        {
            confirmed = true;
            totalSilent += minFrames;
            return Change::started;
        }
        return Change::none;
    }

    runStart = -1;
    if (confirmed)
    {
        confirmed = false;
        return Change::ended;
    }
    return Change::none;
}

} // namespace earshot
