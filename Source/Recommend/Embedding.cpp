#include "Recommend/Embedding.h"

#include "Features/Key.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace earshot
{
namespace
{
constexpr float maxZ = 4.0f;
constexpr double twoPi = 6.283185307179586;

struct Scalar
{
    std::string feature;
    FeatureGroup group;
    float importance;
};

/** The standardised features with their group and importance within it. */
const std::vector<Scalar>& scalars()
{
    static const std::vector<Scalar> list = []
    {
        std::vector<Scalar> s;
        // MFCC 0 is overall level, which the loudness group already has.
        for (int i = 1; i < FeatureFrame::numMfcc; ++i)
            s.push_back ({ "mfccMean" + std::to_string (i), FeatureGroup::timbre, 1.0f });
        for (int i = 1; i < FeatureFrame::numMfcc; ++i)
            s.push_back ({ "mfccDeviation" + std::to_string (i), FeatureGroup::timbre, 0.5f });
        for (const auto* name : { "centroidMean", "spreadMean", "rolloffMean", "flatnessMean", "brightness" })
            s.push_back ({ name, FeatureGroup::timbre, 0.7f });
        s.push_back ({ "zcrMean", FeatureGroup::timbre, 0.5f });
        s.push_back ({ "stereoWidth", FeatureGroup::timbre, 0.5f });
        s.push_back ({ "onsetRate", FeatureGroup::rhythm, 1.0f });
        s.push_back ({ "danceability", FeatureGroup::rhythm, 0.7f });
        s.push_back ({ "fluxMean", FeatureGroup::rhythm, 0.5f });
        s.push_back ({ "integratedLufs", FeatureGroup::loudness, 1.0f });
        s.push_back ({ "energy", FeatureGroup::loudness, 1.0f });
        for (const auto* name : { "loudnessRangeLu", "crestFactorDb", "dynamics" })
            s.push_back ({ name, FeatureGroup::loudness, 0.7f });
        return s;
    }();
    return list;
}

// After the scalars: tempo (cos, sin), key (cos, sin), mode.
constexpr float tempoImportance = 2.0f, keyImportance = 2.0f, modeImportance = 0.7f;

size_t featureIndex (const std::string& name)
{
    const auto& names = TrackSummary::vectorNames();
    return static_cast<size_t> (std::find (names.begin(), names.end(), name) - names.begin());
}

struct Layout
{
    std::vector<size_t> scalarFeature;
    size_t tempo, keyTonic, keyIsMinor, keyConfidence, lufs;
    std::vector<FeatureGroup> groupOf; // per embedding dimension
    std::vector<float> importance;     // per embedding dimension
};

const Layout& layout()
{
    static const Layout l = []
    {
        Layout out;
        for (const auto& s : scalars())
        {
            out.scalarFeature.push_back (featureIndex (s.feature));
            out.groupOf.push_back (s.group);
            out.importance.push_back (s.importance);
        }
        for (int i = 0; i < 2; ++i)
        {
            out.groupOf.push_back (FeatureGroup::rhythm);
            out.importance.push_back (tempoImportance);
        }
        for (int i = 0; i < 2; ++i)
        {
            out.groupOf.push_back (FeatureGroup::harmony);
            out.importance.push_back (keyImportance);
        }
        out.groupOf.push_back (FeatureGroup::harmony);
        out.importance.push_back (modeImportance);
        out.tempo = featureIndex ("tempoBpm");
        out.keyTonic = featureIndex ("keyTonic");
        out.keyIsMinor = featureIndex ("keyIsMinor");
        out.keyConfidence = featureIndex ("keyConfidence");
        out.lufs = featureIndex ("integratedLufs");
        return out;
    }();
    return l;
}

float featureAt (const std::vector<float>& features, size_t index)
{
    return index < features.size() ? features[index] : std::numeric_limits<float>::quiet_NaN();
}

size_t groupIndex (FeatureGroup group)
{
    return static_cast<size_t> (group);
}

struct Tempo
{
    float bpm;
    bool known() const { return std::isfinite (bpm) && bpm > 0.0f; }
};

struct KeyOf
{
    int tonic;
    bool minor, known;

    static KeyOf of (const std::vector<float>& f)
    {
        const auto& l = layout();
        const auto confidence = featureAt (f, l.keyConfidence);
        const auto tonic = featureAt (f, l.keyTonic);
        const auto known = std::isfinite (confidence) && confidence > 0.0f && std::isfinite (tonic);
        return { known ? ((static_cast<int> (std::lround (tonic)) % 12) + 12) % 12 : 0,
                 featureAt (f, l.keyIsMinor) > 0.5f, known };
    }

    /** Position on the circle of fifths, 0..11, relative major and minor shared. */
    int fifths() const { return (7 * (minor ? tonic + 3 : tonic)) % 12; }
    std::string name() const { return KeyEstimate { tonic, minor, 1.0f }.name(); }
};

std::string fixed (double value, int decimals)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision (decimals) << value;
    return s.str();
}

std::string describe (FeatureGroup group, const std::vector<float>& a, const std::vector<float>& b, float similarity)
{
    const auto& l = layout();
    const auto similarityText = std::string (Embedding::groupName (group)) + " similarity " + fixed (similarity, 2);
    switch (group)
    {
        case FeatureGroup::rhythm:
        {
            const Tempo ta { featureAt (a, l.tempo) }, tb { featureAt (b, l.tempo) };
            if (! ta.known() || ! tb.known())
                return similarityText;
            auto text = "tempo " + fixed (ta.bpm, 0) + " vs " + fixed (tb.bpm, 0) + " BPM";
            const auto octaves = std::log2 (tb.bpm / ta.bpm);
            if (octaves > 0.75f)
                text += " (double time)";
            else if (octaves < -0.75f)
                text += " (half time)";
            return text;
        }
        case FeatureGroup::harmony:
        {
            const auto ka = KeyOf::of (a), kb = KeyOf::of (b);
            if (! ka.known || ! kb.known)
                return similarityText;
            if (ka.tonic == kb.tonic && ka.minor == kb.minor)
                return "same key " + ka.name();
            const auto steps = std::abs (ka.fifths() - kb.fifths());
            if (steps == 0)
                return "relative keys " + ka.name() + " and " + kb.name();
            if (steps == 1 || steps == 11)
                return "fifth-related keys " + ka.name() + " and " + kb.name();
            return "keys " + ka.name() + " vs " + kb.name();
        }
        case FeatureGroup::loudness:
            return "loudness " + fixed (featureAt (a, l.lufs), 1) + " vs " + fixed (featureAt (b, l.lufs), 1) + " LUFS";
        case FeatureGroup::timbre:
            break;
    }
    return similarityText;
}
} // namespace

std::string EmbeddingStatistics::serialise() const
{
    std::ostringstream s;
    s << "earshot-embedding-statistics 1 " << trackCount << ' ' << mean.size() << std::setprecision (9);
    for (size_t i = 0; i < mean.size(); ++i)
        s << ' ' << mean[i] << ' ' << deviation[i];
    return s.str();
}

std::optional<EmbeddingStatistics> EmbeddingStatistics::parse (const std::string& text)
{
    std::istringstream s (text);
    std::string magic;
    int version = 0;
    size_t count = 0;
    EmbeddingStatistics stats;
    if (! (s >> magic >> version >> stats.trackCount >> count) || magic != "earshot-embedding-statistics" ||
        version != 1 || count != scalars().size())
        return std::nullopt;
    stats.mean.resize (count);
    stats.deviation.resize (count);
    for (size_t i = 0; i < count; ++i)
        if (! (s >> stats.mean[i] >> stats.deviation[i]) || ! (stats.deviation[i] > 0.0f))
            return std::nullopt;
    return stats;
}

bool EmbeddingStatistics::operator== (const EmbeddingStatistics& other) const
{
    return trackCount == other.trackCount && mean == other.mean && deviation == other.deviation;
}

Embedding::Embedding()
    : Embedding (measure ({}))
{
}

Embedding::Embedding (EmbeddingStatistics statistics, GroupWeights weights)
    : stats (std::move (statistics))
    , groupWeights (weights)
{
    const auto& l = layout();
    // Each circle counts once in its group's norm: two random points on a unit
    // circle differ by 2 on average (squared), like two standardised values.
    std::array<float, numGroups> norms {};
    for (size_t d = 0; d < l.importance.size(); ++d)
    {
        const auto secondOfCircle = d == scalars().size() + 1 || d == scalars().size() + 3;
        if (! secondOfCircle)
            norms[groupIndex (l.groupOf[d])] += l.importance[d] * l.importance[d];
    }
    for (size_t d = 0; d < l.importance.size(); ++d)
    {
        const auto g = groupIndex (l.groupOf[d]);
        scales.push_back (groupWeights[g] * l.importance[d] / std::sqrt (norms[g]));
    }
}

EmbeddingStatistics Embedding::measure (const std::vector<const std::vector<float>*>& features)
{
    const auto& l = layout();
    EmbeddingStatistics stats;
    stats.trackCount = static_cast<int64_t> (features.size());
    for (auto index : l.scalarFeature)
    {
        double sum = 0.0, squares = 0.0, count = 0.0;
        for (const auto* track : features)
        {
            const auto value = static_cast<double> (featureAt (*track, index));
            if (! std::isfinite (value))
                continue;
            sum += value;
            squares += value * value;
            count += 1.0;
        }
        const auto mean = count > 0.0 ? sum / count : 0.0;
        const auto deviation = count > 1.0 ? std::sqrt (std::max (0.0, squares / count - mean * mean)) : 0.0;
        stats.mean.push_back (static_cast<float> (mean));
        // A feature that does not vary in the catalog says nothing; 1 keeps it finite.
        stats.deviation.push_back (deviation > 1e-6 * std::max (1.0, std::abs (mean)) ? static_cast<float> (deviation)
                                                                                      : 1.0f);
    }
    return stats;
}

size_t Embedding::dimension()
{
    return layout().importance.size();
}

const std::vector<std::string>& Embedding::scalarNames()
{
    static const std::vector<std::string> names = []
    {
        std::vector<std::string> list;
        for (const auto& s : scalars())
            list.push_back (s.feature);
        return list;
    }();
    return names;
}

void Embedding::embed (const std::vector<float>& features, float* out) const
{
    const auto& l = layout();
    const auto numScalars = l.scalarFeature.size();
    for (size_t i = 0; i < numScalars; ++i)
    {
        const auto value = featureAt (features, l.scalarFeature[i]);
        const auto z =
            std::isfinite (value) ? std::clamp ((value - stats.mean[i]) / stats.deviation[i], -maxZ, maxZ) : 0.0f;
        out[i] = z * scales[i];
    }

    const Tempo tempo { featureAt (features, l.tempo) };
    const auto tempoAngle = tempo.known() ? twoPi * std::log2 (static_cast<double> (tempo.bpm)) : 0.0;
    const auto tempoRadius = tempo.known() ? 1.0 : 0.0;
    out[numScalars] = static_cast<float> (tempoRadius * std::cos (tempoAngle)) * scales[numScalars];
    out[numScalars + 1] = static_cast<float> (tempoRadius * std::sin (tempoAngle)) * scales[numScalars + 1];

    const auto key = KeyOf::of (features);
    const auto keyAngle = twoPi * key.fifths() / 12.0;
    const auto keyRadius = key.known ? 1.0 : 0.0;
    out[numScalars + 2] = static_cast<float> (keyRadius * std::cos (keyAngle)) * scales[numScalars + 2];
    out[numScalars + 3] = static_cast<float> (keyRadius * std::sin (keyAngle)) * scales[numScalars + 3];
    out[numScalars + 4] = (key.known ? (key.minor ? 1.0f : 0.0f) : 0.5f) * scales[numScalars + 4];
}

std::vector<float> Embedding::embed (const std::vector<float>& features) const
{
    std::vector<float> out (dimension());
    embed (features, out.data());
    return out;
}

float Embedding::distanceSquared (const float* a, const float* b)
{
    float sum = 0.0f;
    for (size_t d = 0, n = dimension(); d < n; ++d)
        sum += (a[d] - b[d]) * (a[d] - b[d]);
    return sum;
}

float Embedding::similarityOfDistance (float distanceSquared) const
{
    float total = 0.0f;
    for (auto w : groupWeights)
        total += w * w;
    return std::exp (-distanceSquared / (2.0f * std::max (total, 1e-12f)));
}

float Embedding::similarity (const float* a, const float* b) const
{
    return similarityOfDistance (distanceSquared (a, b));
}

Embedding::GroupSimilarities Embedding::groupSimilarities (const float* a, const float* b) const
{
    const auto& l = layout();
    std::array<float, numGroups> distances {};
    for (size_t d = 0; d < l.groupOf.size(); ++d)
        distances[groupIndex (l.groupOf[d])] += (a[d] - b[d]) * (a[d] - b[d]);
    GroupSimilarities result {};
    for (size_t g = 0; g < numGroups; ++g)
        result[g] = std::exp (-distances[g] / (2.0f * std::max (groupWeights[g] * groupWeights[g], 1e-12f)));
    return result;
}

std::string Embedding::explain (const std::vector<float>& queryFeatures, const std::vector<float>& trackFeatures,
                                const GroupSimilarities& similarities)
{
    std::array<size_t, numGroups> order { 0, 1, 2, 3 };
    std::stable_sort (order.begin(), order.end(),
                      [&] (size_t x, size_t y) { return similarities[x] > similarities[y]; });

    std::string text;
    for (size_t i = 0; i + 1 < numGroups; ++i)
    {
        text += i > 0 ? ", " : "";
        text += describe (static_cast<FeatureGroup> (order[i]), queryFeatures, trackFeatures, similarities[order[i]]);
    }
    const auto farthest = order.back();
    text += "; least alike: " +
            describe (static_cast<FeatureGroup> (farthest), queryFeatures, trackFeatures, similarities[farthest]);
    if (text.find (" similarity ", text.rfind (';')) == std::string::npos)
        text += " (" + fixed (similarities[farthest], 2) + ")";
    return text;
}

const char* Embedding::groupName (FeatureGroup group)
{
    switch (group)
    {
        case FeatureGroup::timbre:
            return "timbre";
        case FeatureGroup::rhythm:
            return "rhythm";
        case FeatureGroup::harmony:
            return "harmony";
        case FeatureGroup::loudness:
            return "loudness";
    }
    return "";
}

} // namespace earshot
