#include "Cli/ReportFormat.h"

#include <cmath>

namespace earshot::cli::ReportFormat
{
namespace
{
juce::String number (double value, int decimals)
{
    if (std::isnan (value))
        return "nan";
    if (std::isinf (value))
        return value < 0 ? "-inf" : "inf";
    // juce::String (x, 0) would print every digit.
    return decimals == 0 ? juce::String (juce::roundToInt (value)) : juce::String (value, decimals);
}

/** JSON has no infinity: levels of digital silence are null. */
juce::var jsonNumber (double value, int decimals = 3)
{
    if (! std::isfinite (value))
        return {};
    const auto scale = std::pow (10.0, decimals);
    return std::round (value * scale) / scale;
}

juce::String clock (double seconds)
{
    const auto minutes = static_cast<int> (seconds / 60.0);
    return juce::String (minutes) + ":" + juce::String (seconds - minutes * 60.0, 1).paddedLeft ('0', 4);
}

juce::String csvField (const juce::String& text)
{
    if (text.containsAnyOf (",\"\n"))
        return "\"" + text.replace ("\"", "\"\"") + "\"";
    return text;
}

juce::Array<juce::var> jsonList (const std::vector<double>& values)
{
    juce::Array<juce::var> list;
    for (auto value : values)
        list.add (jsonNumber (value));
    return list;
}

template <size_t size>
juce::Array<juce::var> jsonList (const std::array<float, size>& values)
{
    juce::Array<juce::var> list;
    for (auto value : values)
        list.add (jsonNumber (value, 4));
    return list;
}

juce::var frameToJson (const FeatureFrame& frame, FeatureFamilies families)
{
    using F = FeatureFamily;
    auto object = std::make_unique<juce::DynamicObject>();
    object->setProperty ("time", jsonNumber (frame.timeSeconds, 4));
    if (families.contains (F::loudness))
    {
        object->setProperty ("momentaryLufs", jsonNumber (frame.momentaryLufs, 2));
        object->setProperty ("shortTermLufs", jsonNumber (frame.shortTermLufs, 2));
    }
    if (families.contains (F::levels))
    {
        object->setProperty ("rmsDbfs", jsonNumber (frame.rmsDbfs, 2));
        object->setProperty ("peakDbfs", jsonNumber (frame.peakDbfs, 2));
    }
    if (families.contains (F::loudness))
        object->setProperty ("truePeakDbtp", jsonNumber (frame.truePeakDbtp, 2));
    if (families.contains (F::spectrum))
    {
        object->setProperty ("centroidHz", jsonNumber (frame.spectralCentroidHz, 1));
        object->setProperty ("spreadHz", jsonNumber (frame.spectralSpreadHz, 1));
        object->setProperty ("rolloffHz", jsonNumber (frame.spectralRolloffHz, 1));
        object->setProperty ("flatness", jsonNumber (frame.spectralFlatness, 4));
        object->setProperty ("flux", jsonNumber (frame.spectralFlux, 4));
        object->setProperty ("zcr", jsonNumber (frame.zeroCrossingRate, 4));
    }
    if (families.contains (F::harmony))
    {
        object->setProperty ("mfcc", jsonList (frame.mfcc));
        object->setProperty ("chroma", jsonList (frame.chroma));
    }
    if (families.contains (F::rhythm))
    {
        object->setProperty ("onsetStrength", jsonNumber (frame.onsetStrength, 4));
        object->setProperty ("onset", frame.isOnset);
    }
    if (families.contains (F::stereo))
    {
        object->setProperty ("correlation", jsonNumber (frame.stereoCorrelation, 3));
        object->setProperty ("width", jsonNumber (frame.stereoWidth, 3));
        object->setProperty ("balance", jsonNumber (frame.stereoBalance, 3));
    }
    if (families.contains (F::structure))
        object->setProperty ("silent", frame.isSilent);
    object->setProperty ("invalidInput", frame.hadInvalidInput);
    return juce::var (object.release());
}

juce::var levelsToJson (const FileReport& report)
{
    const auto& s = report.analysis.summary;
    auto levels = std::make_unique<juce::DynamicObject>();
    levels->setProperty ("samplePeakDbfs", jsonNumber (s.samplePeakDbfs, 2));
    levels->setProperty ("rmsDbfs", jsonNumber (s.rmsDbfs, 2));
    levels->setProperty ("crestFactorDb", jsonNumber (s.crestFactorDb, 2));
    levels->setProperty ("dcOffset", jsonNumber (s.dcOffset, 6));
    levels->setProperty ("clippedSamples", static_cast<juce::int64> (s.clippedSamples));

    juce::Array<juce::var> channels;
    const auto& snapshot = report.analysis.levels;
    const auto& statistics = report.analysis.levelStatistics;
    for (int c = 0; c < std::min (snapshot.numChannels, Snapshot::maxChannels); ++c)
    {
        const auto& level = snapshot.levels[static_cast<size_t> (c)];
        const auto extra =
            static_cast<size_t> (c) < statistics.size() ? statistics[static_cast<size_t> (c)] : LevelStatistics {};
        const auto crest = std::isfinite (level.overallPeakDb) && std::isfinite (level.overallRmsDb)
                               ? level.overallPeakDb - level.overallRmsDb
                               : 0.0f;
        auto channel = std::make_unique<juce::DynamicObject>();
        channel->setProperty ("rmsDbfs", jsonNumber (level.overallRmsDb, 2));
        channel->setProperty ("peakDbfs", jsonNumber (level.overallPeakDb, 2));
        channel->setProperty ("minSample", jsonNumber (extra.minSample, 6));
        channel->setProperty ("maxSample", jsonNumber (extra.maxSample, 6));
        channel->setProperty ("crestFactorDb", jsonNumber (crest, 2));
        channel->setProperty ("rmsPeakDbfs", jsonNumber (extra.rmsPeakDb, 2));
        channel->setProperty ("rmsTroughDbfs", jsonNumber (extra.rmsTroughDb, 2));
        channel->setProperty ("dcOffset", jsonNumber (level.dcOffset, 6));
        channel->setProperty ("clippedSamples", static_cast<juce::int64> (level.clippedSamples));
        channels.add (juce::var (channel.release()));
    }
    levels->setProperty ("channels", channels);
    return juce::var (levels.release());
}
} // namespace

void writeText (const FileReport& report, std::ostream& out)
{
    using F = FeatureFamily;
    const auto& s = report.analysis.summary;
    const auto families = report.families;
    out << report.file.getFileName() << "  (" << report.formatName << ", " << report.sampleRate << " Hz, "
        << report.numChannels << " ch, " << clock (report.durationSeconds) << ")\n";
    if (families.contains (F::loudness))
        out << "  loudness   " << number (s.integratedLufs, 1) << " LUFS integrated, range "
            << number (s.loudnessRangeLu, 1) << " LU, true peak " << number (s.truePeakDbtp, 1) << " dBTP\n";
    if (families.contains (F::levels))
        out << "  level      RMS " << number (s.rmsDbfs, 1) << " dBFS, sample peak " << number (s.samplePeakDbfs, 1)
            << " dBFS, crest " << number (s.crestFactorDb, 1) << " dB, DC " << number (s.dcOffset, 4) << ", clipped "
            << s.clippedSamples << "\n";
    if (families.contains (F::rhythm))
    {
        out << "  rhythm     ";
        if (s.tempoBpm > 0.0f)
            out << number (s.tempoBpm, 1) << " BPM (confidence " << number (s.tempoConfidence, 2) << ")";
        else
            out << "no steady tempo";
        out << ", " << number (s.onsetRate, 1) << " onsets/s\n";
    }
    if (families.contains (F::harmony))
    {
        const auto key = s.keyName();
        out << "  harmony    "
            << (key.empty() ? std::string ("no clear key")
                            : key + " (confidence " + number (s.keyConfidence, 2).toStdString() + ")")
            << "\n";
    }
    if (families.contains (F::spectrum))
        out << "  spectrum   centroid " << number (s.spectralCentroidHz.mean, 0) << " Hz, rolloff "
            << number (s.spectralRolloffHz.mean, 0) << " Hz, flatness " << number (s.spectralFlatness.mean, 3) << "\n";
    if (families.contains (F::stereo))
        out << "  stereo     correlation " << number (s.stereoCorrelation, 2) << ", width " << number (s.stereoWidth, 2)
            << ", balance " << number (s.stereoBalance, 2) << "\n";
    if (families.contains (F::descriptors))
        out << "  character  energy " << number (s.energy, 2) << ", danceability " << number (s.danceability, 2)
            << ", brightness " << number (s.brightness, 2) << ", dynamics " << number (s.dynamics, 2) << "\n";

    if (families.contains (F::structure))
    {
        out << "  structure  ";
        const auto& silences = report.analysis.silentRegions;
        if (silences.empty())
            out << "no silence";
        for (size_t i = 0; i < silences.size(); ++i)
            out << (i == 0 ? "silence " : ", ") << clock (silences[i].startSeconds) << "-"
                << clock (silences[i].endSeconds);
        const auto& boundaries = report.analysis.segmentBoundaries;
        out << "; " << (boundaries.empty() ? "no section changes" : "sections change at ");
        for (size_t i = 0; i < boundaries.size(); ++i)
            out << (i == 0 ? "" : ", ") << clock (boundaries[i]);
        out << "\n";
    }

    const auto& health = report.analysis.levels.health;
    if (health.blocksWithInvalidSamples > 0)
        out << "  warning    " << health.blocksWithInvalidSamples
            << " blocks held NaN/Inf samples (analysed as silence)\n";
}

juce::var toJson (const FileReport& report)
{
    using F = FeatureFamily;
    const auto& s = report.analysis.summary;
    const auto families = report.families;
    auto object = std::make_unique<juce::DynamicObject>();
    object->setProperty ("file", report.file.getFullPathName());
    object->setProperty ("format", report.formatName);
    object->setProperty ("sampleRate", report.sampleRate);
    object->setProperty ("channels", report.numChannels);
    object->setProperty ("durationSeconds", jsonNumber (report.durationSeconds, 4));

    if (families.contains (F::loudness))
    {
        auto loudness = std::make_unique<juce::DynamicObject>();
        loudness->setProperty ("integratedLufs", jsonNumber (s.integratedLufs, 2));
        loudness->setProperty ("loudnessRangeLu", jsonNumber (s.loudnessRangeLu, 2));
        loudness->setProperty ("truePeakDbtp", jsonNumber (s.truePeakDbtp, 2));
        object->setProperty ("loudness", juce::var (loudness.release()));
    }
    if (families.contains (F::levels))
        object->setProperty ("levels", levelsToJson (report));

    if (families.contains (F::rhythm))
    {
        auto rhythm = std::make_unique<juce::DynamicObject>();
        rhythm->setProperty ("tempoBpm", jsonNumber (s.tempoBpm, 2));
        rhythm->setProperty ("tempoConfidence", jsonNumber (s.tempoConfidence, 3));
        rhythm->setProperty ("onsetRate", jsonNumber (s.onsetRate, 3));
        rhythm->setProperty ("beats", jsonList (report.analysis.beatTimes));
        rhythm->setProperty ("onsets", jsonList (report.analysis.onsetTimes));
        object->setProperty ("rhythm", juce::var (rhythm.release()));
    }

    if (families.contains (F::harmony))
    {
        auto harmony = std::make_unique<juce::DynamicObject>();
        harmony->setProperty ("key", juce::String (s.keyName()));
        harmony->setProperty ("keyConfidence", jsonNumber (s.keyConfidence, 3));
        harmony->setProperty ("chroma", jsonList (s.chroma));
        harmony->setProperty ("mfccMean", jsonList (s.mfccMean));
        harmony->setProperty ("mfccDeviation", jsonList (s.mfccDeviation));
        object->setProperty ("timbreAndHarmony", juce::var (harmony.release()));
    }

    if (families.contains (F::spectrum))
    {
        auto spectrum = std::make_unique<juce::DynamicObject>();
        auto statistic = [] (const FeatureStatistic& stat)
        {
            auto pair = std::make_unique<juce::DynamicObject>();
            pair->setProperty ("mean", jsonNumber (stat.mean, 4));
            pair->setProperty ("deviation", jsonNumber (stat.deviation, 4));
            return juce::var (pair.release());
        };
        spectrum->setProperty ("centroidHz", statistic (s.spectralCentroidHz));
        spectrum->setProperty ("spreadHz", statistic (s.spectralSpreadHz));
        spectrum->setProperty ("rolloffHz", statistic (s.spectralRolloffHz));
        spectrum->setProperty ("flatness", statistic (s.spectralFlatness));
        spectrum->setProperty ("flux", statistic (s.spectralFlux));
        spectrum->setProperty ("zeroCrossingRate", statistic (s.zeroCrossingRate));
        object->setProperty ("spectrum", juce::var (spectrum.release()));
    }

    if (families.contains (F::stereo))
    {
        auto stereo = std::make_unique<juce::DynamicObject>();
        stereo->setProperty ("correlation", jsonNumber (s.stereoCorrelation, 3));
        stereo->setProperty ("width", jsonNumber (s.stereoWidth, 3));
        stereo->setProperty ("balance", jsonNumber (s.stereoBalance, 3));
        object->setProperty ("stereo", juce::var (stereo.release()));
    }

    if (families.contains (F::descriptors))
    {
        auto descriptors = std::make_unique<juce::DynamicObject>();
        descriptors->setProperty ("energy", jsonNumber (s.energy, 3));
        descriptors->setProperty ("danceability", jsonNumber (s.danceability, 3));
        descriptors->setProperty ("brightness", jsonNumber (s.brightness, 3));
        descriptors->setProperty ("dynamics", jsonNumber (s.dynamics, 3));
        object->setProperty ("descriptors", juce::var (descriptors.release()));
    }

    if (families.contains (F::structure))
    {
        juce::Array<juce::var> silences;
        for (const auto& region : report.analysis.silentRegions)
        {
            auto pair = std::make_unique<juce::DynamicObject>();
            pair->setProperty ("start", jsonNumber (region.startSeconds));
            pair->setProperty ("end", jsonNumber (region.endSeconds));
            silences.add (juce::var (pair.release()));
        }
        object->setProperty ("silences", silences);
        object->setProperty ("sectionChanges", jsonList (report.analysis.segmentBoundaries));
    }
    object->setProperty ("blocksWithInvalidSamples",
                         static_cast<juce::int64> (report.analysis.levels.health.blocksWithInvalidSamples));

    if (! report.analysis.frames.empty())
    {
        juce::Array<juce::var> frames;
        frames.ensureStorageAllocated (static_cast<int> (report.analysis.frames.size()));
        for (const auto& frame : report.analysis.frames)
            frames.add (frameToJson (frame, families));
        object->setProperty ("frames", frames);
    }
    return juce::var (object.release());
}

void writeSummaryCsvHeader (FeatureFamilies families, std::ostream& out)
{
    out << "file,format,sampleRate,channels,durationSeconds";
    if (families.contains (FeatureFamily::levels))
        out << ",samplePeakDbfs,rmsDbfs,dcOffset,clippedSamples";
    if (families.contains (FeatureFamily::harmony))
        out << ",key";
    const auto& names = TrackSummary::vectorNames();
    const auto& of = TrackSummary::vectorFamilies();
    for (size_t i = 0; i < names.size(); ++i)
        if (families.contains (of[i]))
            out << "," << names[i];
    out << "\n";
}

void writeSummaryCsvRow (const FileReport& report, std::ostream& out)
{
    const auto& s = report.analysis.summary;
    const auto families = report.families;
    out << csvField (report.file.getFullPathName()) << "," << report.formatName << "," << report.sampleRate << ","
        << report.numChannels << "," << number (report.durationSeconds, 4);
    if (families.contains (FeatureFamily::levels))
        out << "," << number (s.samplePeakDbfs, 2) << "," << number (s.rmsDbfs, 2) << "," << number (s.dcOffset, 6)
            << "," << s.clippedSamples;
    if (families.contains (FeatureFamily::harmony))
        out << "," << csvField (s.keyName());
    const auto values = s.toVector();
    const auto& of = TrackSummary::vectorFamilies();
    for (size_t i = 0; i < values.size(); ++i)
        if (families.contains (of[i]))
            out << "," << number (values[i], 4);
    out << "\n";
}

void writeFramesCsvHeader (FeatureFamilies families, std::ostream& out)
{
    using F = FeatureFamily;
    out << "file,index,time";
    if (families.contains (F::loudness))
        out << ",momentaryLufs,shortTermLufs";
    if (families.contains (F::levels))
        out << ",rmsDbfs,peakDbfs";
    if (families.contains (F::loudness))
        out << ",truePeakDbtp";
    if (families.contains (F::spectrum))
        out << ",centroidHz,spreadHz,rolloffHz,flatness,flux,zcr";
    if (families.contains (F::harmony))
    {
        for (int i = 0; i < FeatureFrame::numMfcc; ++i)
            out << ",mfcc" << i;
        for (int i = 0; i < FeatureFrame::numChroma; ++i)
            out << ",chroma" << i;
    }
    if (families.contains (F::rhythm))
        out << ",onsetStrength,onset";
    if (families.contains (F::stereo))
        out << ",correlation,width,balance";
    if (families.contains (F::structure))
        out << ",silent";
    out << ",invalidInput\n";
}

void writeFramesCsvRows (const FileReport& report, std::ostream& out)
{
    using F = FeatureFamily;
    const auto families = report.families;
    const auto file = csvField (report.file.getFullPathName());
    for (const auto& f : report.analysis.frames)
    {
        out << file << "," << f.index << "," << number (f.timeSeconds, 4);
        if (families.contains (F::loudness))
            out << "," << number (f.momentaryLufs, 2) << "," << number (f.shortTermLufs, 2);
        if (families.contains (F::levels))
            out << "," << number (f.rmsDbfs, 2) << "," << number (f.peakDbfs, 2);
        if (families.contains (F::loudness))
            out << "," << number (f.truePeakDbtp, 2);
        if (families.contains (F::spectrum))
            out << "," << number (f.spectralCentroidHz, 1) << "," << number (f.spectralSpreadHz, 1) << ","
                << number (f.spectralRolloffHz, 1) << "," << number (f.spectralFlatness, 4) << ","
                << number (f.spectralFlux, 4) << "," << number (f.zeroCrossingRate, 4);
        if (families.contains (F::harmony))
        {
            for (auto value : f.mfcc)
                out << "," << number (value, 4);
            for (auto value : f.chroma)
                out << "," << number (value, 4);
        }
        if (families.contains (F::rhythm))
            out << "," << number (f.onsetStrength, 4) << "," << (f.isOnset ? 1 : 0);
        if (families.contains (F::stereo))
            out << "," << number (f.stereoCorrelation, 3) << "," << number (f.stereoWidth, 3) << ","
                << number (f.stereoBalance, 3);
        if (families.contains (F::structure))
            out << "," << (f.isSilent ? 1 : 0);
        out << "," << (f.hadInvalidInput ? 1 : 0) << "\n";
    }
}

} // namespace earshot::cli::ReportFormat
