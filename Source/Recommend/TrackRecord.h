#pragma once

#include "Features/TrackSummary.h"

#include <cstdint>
#include <string>
#include <vector>

namespace earshot
{

/** One track of the user's catalog as the recommender sees it. Plain data. */
struct TrackRecord
{
    int64_t id = 0;
    std::string path;
    /** Content fingerprint: unchanged files are not analysed again. */
    std::string fingerprint;
    int64_t fileSize = 0;
    int64_t modifiedMillis = 0;
    /** Tags from the file's metadata where present. */
    std::string title, artist, album, genre;
    TrackSummary summary;
    /** summary.toVector(), as stored. */
    std::vector<float> features;
};

/** What the listener did with a track. */
struct FeedbackEvent
{
    enum class Kind
    {
        like,
        skip,
        playedToEnd,
        played
    };

    int64_t trackId = 0;
    Kind kind = Kind::played;
    /** Seconds into the track when it happened (skips), else the track's length. */
    double positionSeconds = 0.0;
    /** Milliseconds since the Unix epoch. */
    int64_t timeMillis = 0;
};

} // namespace earshot
