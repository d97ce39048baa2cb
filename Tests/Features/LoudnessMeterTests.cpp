#include "Features/LoudnessMeter.h"
#include "Support/AllocationGuard.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>
#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

using namespace earshot;

namespace
{
using Signal = juce::AudioBuffer<float>;
constexpr double twoPi = juce::MathConstants<double>::twoPi;
constexpr double minusInf = -std::numeric_limits<double>::infinity();

struct Ebur128Deleter
{
    void operator() (ebur128_state* meter) const noexcept { ebur128_destroy (&meter); }
};
using Ebur128 = std::unique_ptr<ebur128_state, Ebur128Deleter>;

/** libebur128 keeping every block (no histogram): the exact reference. */
Ebur128 makeReference (double sampleRate, int numChannels)
{
    Ebur128 meter (ebur128_init (static_cast<unsigned int> (numChannels), static_cast<unsigned long> (sampleRate),
                                 EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_LRA));
    REQUIRE (meter != nullptr);
    if (numChannels == 1)
        ebur128_set_channel (meter.get(), 0, EBUR128_DUAL_MONO);
    return meter;
}

void addToReference (ebur128_state* meter, const Signal& signal, int start, int length)
{
    const auto numChannels = signal.getNumChannels();
    std::vector<float> interleaved (static_cast<size_t> (length * numChannels));
    for (int c = 0; c < numChannels; ++c)
        for (int i = 0; i < length; ++i)
            interleaved[static_cast<size_t> (i * numChannels + c)] = signal.getSample (c, start + i);
    REQUIRE (ebur128_add_frames_float (meter, interleaved.data(), static_cast<size_t> (length)) == EBUR128_SUCCESS);
}

template <typename Getter>
double referenceReading (ebur128_state* meter, Getter getter)
{
    double value = 0.0;
    REQUIRE (getter (meter, &value) == EBUR128_SUCCESS);
    return value;
}

void process (LoudnessMeter& meter, const Signal& signal, int start, int length)
{
    std::vector<const float*> channels;
    for (int c = 0; c < signal.getNumChannels(); ++c)
        channels.push_back (signal.getReadPointer (c, start));
    meter.process (channels.data(), length);
}

/** The signals the meter is compared on; frequency is used by "sine" only. */
struct SignalKind
{
    std::string name;
    double frequency = 0.0;
};

Signal makeTestSignal (const SignalKind& kind, double sampleRate, double seconds)
{
    if (kind.name == "sine")
    {
        // Left and right at different levels, so the channels are summed, not just doubled.
        const auto omega = twoPi * kind.frequency / sampleRate;
        return test::makeStereo (sampleRate, seconds,
                                 [=] (int c, int i) { return (c == 0 ? 0.5 : 0.2) * std::sin (omega * i + c); });
    }
    if (kind.name == "noise")
    {
        Signal signal (2, static_cast<int> (std::lround (seconds * sampleRate)));
        test::fillNoise (signal, 0.4f, 11);
        return signal;
    }
    juce::Random random (5);
    if (kind.name == "drums")
        return test::drums124 (sampleRate, seconds);
    // "steps": noise and a tone whose level jumps every 0.7 s, through digital silence
    // and passages under the absolute gate.
    const double levelsDb[] = { 0.0, -12.0, -30.0, -6.0, -200.0, -45.0, -20.0, -75.0, -3.0, -25.0 };
    const auto step = static_cast<int> (0.7 * sampleRate);
    return test::makeStereo (sampleRate, seconds,
                             [&, step] (int c, int i)
                             {
                                 const auto levelDb = levelsDb[static_cast<size_t> (i / step) % std::size (levelsDb)];
                                 if (levelDb < -150.0)
                                     return 0.0;
                                 const auto tone = 0.3 * std::sin (twoPi * 440.0 * i / sampleRate + c);
                                 return std::pow (10.0, levelDb / 20.0) *
                                        (0.3 * (2.0 * random.nextDouble() - 1.0) + tone);
                             });
}

/** Loudness range by EBU Tech 3342 from short-term energies: gates, then nearest rank. */
double exactLoudnessRange (std::vector<double> energies)
{
    const auto absoluteGate = std::pow (10.0, (-70.0 + 0.691) / 10.0);
    energies.erase (std::remove_if (energies.begin(), energies.end(), [=] (double e) { return e < absoluteGate; }),
                    energies.end());
    if (energies.empty())
        return 0.0;
    auto mean = 0.0;
    for (const auto e : energies)
        mean += e;
    mean /= static_cast<double> (energies.size());
    energies.erase (std::remove_if (energies.begin(), energies.end(), [=] (double e) { return e < 0.01 * mean; }),
                    energies.end());
    std::sort (energies.begin(), energies.end());
    const auto n = static_cast<double> (energies.size() - 1);
    const auto low = energies[static_cast<size_t> (n * 0.1 + 0.5)];
    const auto high = energies[static_cast<size_t> (n * 0.95 + 0.5)];
    return 10.0 * std::log10 (high / low);
}

/** Loudness range with short-term blocks every 100 ms, from libebur128's own short-term loudness. */
double referenceRangeAt10Hz (const Signal& signal, double sampleRate)
{
    auto meter = makeReference (sampleRate, signal.getNumChannels());
    const auto subBlock = static_cast<int> ((std::lround (sampleRate) + 5) / 10);
    std::vector<double> energies;
    for (int position = 0; position + subBlock <= signal.getNumSamples(); position += subBlock)
    {
        addToReference (meter.get(), signal, position, subBlock);
        if (position + subBlock >= 30 * subBlock)
            energies.push_back (
                std::pow (10.0, (referenceReading (meter.get(), ebur128_loudness_shortterm) + 0.691) / 10.0));
    }
    return exactLoudnessRange (energies);
}

void checkAgrees (double ours, double reference, double tolerance)
{
    if (reference == minusInf)
        CHECK (ours == minusInf);
    else
        CHECK (ours == Approx (reference).margin (tolerance));
}
} // namespace

TEST_CASE ("K-weighting at 48 kHz has BS.1770's published coefficients", "[features][loudness]")
{
    // ITU-R BS.1770-4, Tables 1 and 2.
    const auto pre = LoudnessMeter::preFilter (48000.0);
    CHECK (pre.b0 == Approx (1.53512485958697).margin (1e-8));
    CHECK (pre.b1 == Approx (-2.69169618940638).margin (1e-8));
    CHECK (pre.b2 == Approx (1.19839281085285).margin (1e-8));
    CHECK (pre.a1 == Approx (-1.69065929318241).margin (1e-8));
    CHECK (pre.a2 == Approx (0.73248077421585).margin (1e-8));
    const auto rlb = LoudnessMeter::rlbHighPass (48000.0);
    CHECK (rlb.b0 == 1.0);
    CHECK (rlb.b1 == -2.0);
    CHECK (rlb.b2 == 1.0);
    CHECK (rlb.a1 == Approx (-1.99004745483398).margin (1e-8));
    CHECK (rlb.a2 == Approx (0.99007225036621).margin (1e-8));
}

TEST_CASE ("LoudnessMeter agrees with libebur128 on sines, noise, drums and level steps at any rate",
           "[features][loudness]")
{
    const auto sampleRate = GENERATE (8000.0, 44100.0, 48000.0, 96000.0, 192000.0);
    const auto kind = GENERATE (values<SignalKind> ({ { "sine", 20.0 },
                                                      { "sine", 100.0 },
                                                      { "sine", 1000.0 },
                                                      { "sine", 5000.0 },
                                                      { "sine", 10000.0 },
                                                      { "sine", 20000.0 },
                                                      { "noise" },
                                                      { "drums" },
                                                      { "steps" } }));
    if (kind.frequency >= 0.48 * sampleRate)
        return; // no such sine at this rate
    CAPTURE (sampleRate, kind.name, kind.frequency);

    constexpr double seconds = 12.0;
    const auto signal = makeTestSignal (kind, sampleRate, seconds);
    LoudnessMeter ours;
    REQUIRE (ours.prepare (sampleRate, 2));
    auto reference = makeReference (sampleRate, 2);

    // 20 checkpoints from 3 s on, at positions that are no multiple of 100 ms; pieces
    // of varied size in between, the same for both meters.
    int position = 0;
    for (int checkpoint = 0; checkpoint < 20; ++checkpoint)
    {
        const auto end = static_cast<int> ((3.0 + 0.4537 * checkpoint) * sampleRate) + 17 * checkpoint;
        for (int piece = 0; position < end; ++piece)
        {
            const auto length = std::min (end - position, 1 + (piece * 977 + checkpoint * 131) % 3000);
            process (ours, signal, position, length);
            addToReference (reference.get(), signal, position, length);
            position += length;
        }
        CAPTURE (checkpoint);
        checkAgrees (ours.momentaryLufs(), referenceReading (reference.get(), ebur128_loudness_momentary), 0.01);
        checkAgrees (ours.shortTermLufs(), referenceReading (reference.get(), ebur128_loudness_shortterm), 0.01);
    }
    process (ours, signal, position, signal.getNumSamples() - position);
    addToReference (reference.get(), signal, position, signal.getNumSamples() - position);

    checkAgrees (ours.integratedLufs(), referenceReading (reference.get(), ebur128_loudness_global), 0.02);
    // libebur128 1.2.6 takes a short-term block for the range once a second; this meter
    // every 100 ms (EBU Tech 3342 since 2016). The method is checked against the range of
    // libebur128's short-term loudness read every 100 ms (0.01 LU bins, so within 0.02 LU).
    CHECK (ours.loudnessRangeLu() == Approx (referenceRangeAt10Hz (signal, sampleRate)).margin (0.02));
    // Where short-term loudness changes within a second ("steps": 0.7 s), one block a
    // second samples its distribution differently (0.16 to 0.19 LU higher here), so
    // libebur128's own range is compared only on the others.
    if (kind.name != "steps")
        CHECK (ours.loudnessRangeLu() ==
               Approx (referenceReading (reference.get(), ebur128_loudness_range)).margin (0.1));
}

TEST_CASE ("LoudnessMeter results are bit-identical however the stream is split", "[features][loudness]")
{
    const auto numChannels = GENERATE (1, 2, 6);
    CAPTURE (numChannels);
    constexpr double sampleRate = 44100.0;
    constexpr int length = 10 * 44100;
    constexpr int checkpointInterval = 3001;
    Signal signal (numChannels, length);
    test::fillNoise (signal, 0.3f, 42);
    for (int c = 0; c < numChannels; ++c)
        signal.applyGainRamp (c, 0, length, 0.05f * static_cast<float> (c + 1), 1.0f);

    const auto measure = [&] (int pieceSize)
    {
        LoudnessMeter meter;
        meter.prepare (sampleRate, numChannels);
        std::vector<double> readings;
        for (int position = 0; position < length;)
        {
            // Pieces also end at every checkpoint, so all runs can be compared there.
            const auto size =
                std::min ({ pieceSize, checkpointInterval - position % checkpointInterval, length - position });
            process (meter, signal, position, size);
            position += size;
            if (position % checkpointInterval == 0 || position == length)
                readings.insert (readings.end(), { meter.momentaryLufs(), meter.shortTermLufs(), meter.integratedLufs(),
                                                   meter.loudnessRangeLu() });
        }
        return readings;
    };

    const auto reference = measure (1);
    REQUIRE (std::isfinite (reference[reference.size() - 4])); // momentary at the end
    REQUIRE (reference.back() > 1.0);                          // a loudness range from the ramp
    for (const auto pieceSize : { 37, 4096 })
    {
        INFO ("piece size " << pieceSize);
        CHECK (measure (pieceSize) == reference);
    }
}

TEST_CASE ("LoudnessMeter weighs surround channels 1.41 and leaves out the LFE", "[features][loudness]")
{
    constexpr double sampleRate = 48000.0;
    Signal sine (1, 48000 * 2);
    test::fillSine (sine, sampleRate, 1000.0, 0.25f);
    const std::vector<float> silence (static_cast<size_t> (sine.getNumSamples()), 0.0f);
    const auto readingWithSineOn = [&] (int channel)
    {
        std::vector<const float*> channels (6, silence.data());
        channels[static_cast<size_t> (channel)] = sine.getReadPointer (0);
        LoudnessMeter meter;
        meter.prepare (sampleRate, 6);
        meter.process (channels.data(), sine.getNumSamples());
        return meter.integratedLufs();
    };
    const auto left = readingWithSineOn (0);
    REQUIRE (std::isfinite (left));
    CHECK (readingWithSineOn (2) == Approx (left).margin (1e-9));                            // C
    CHECK (readingWithSineOn (3) == minusInf);                                               // LFE
    CHECK (readingWithSineOn (4) == Approx (left + 10.0 * std::log10 (1.41)).margin (1e-9)); // Ls
}

TEST_CASE ("LoudnessMeter reads -inf in digital silence, also after sound has stopped", "[features][loudness]")
{
    const auto sampleRate = GENERATE (8000.0, 48000.0, 192000.0);
    CAPTURE (sampleRate);
    LoudnessMeter meter;
    meter.prepare (sampleRate, 2);
    Signal silence (2, static_cast<int> (5.0 * sampleRate));
    silence.clear();
    process (meter, silence, 0, silence.getNumSamples());
    CHECK (meter.momentaryLufs() == minusInf);
    CHECK (meter.shortTermLufs() == minusInf);
    CHECK (meter.integratedLufs() == minusInf);
    CHECK (meter.loudnessRangeLu() == 0.0);

    // Once the filters have rung out (flushed far below anything audible), exact zeros again.
    Signal noise (2, static_cast<int> (3.0 * sampleRate));
    test::fillNoise (noise, 0.5f, 3);
    process (meter, noise, 0, noise.getNumSamples());
    process (meter, silence, 0, silence.getNumSamples());
    CHECK (meter.momentaryLufs() == minusInf);
    CHECK (meter.shortTermLufs() == minusInf);
    CHECK (std::isfinite (meter.integratedLufs()));
}

TEST_CASE ("LoudnessMeter never returns NaN, whatever the samples or the rate", "[features][loudness]")
{
    // 16 Hz and 3 kHz put the shelf's centre beyond Nyquist; 2.8224 MHz is the top rate.
    const auto sampleRate = GENERATE (16.0, 3000.0, 44100.0, 2822400.0);
    CAPTURE (sampleRate);
    LoudnessMeter meter;
    REQUIRE (meter.prepare (sampleRate, 2));
    Signal signal (2, static_cast<int> (4.0 * sampleRate));
    test::fillNoise (signal, 0.5f, 9);
    const float specials[] = { std::numeric_limits<float>::quiet_NaN(),
                               std::numeric_limits<float>::infinity(),
                               -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::max(),
                               -std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::denorm_min(),
                               1.0e-40f };
    for (int i = 0; i < signal.getNumSamples(); i += 7)
        signal.setSample (i % 2, i, specials[static_cast<size_t> (i / 7) % std::size (specials)]);
    process (meter, signal, 0, signal.getNumSamples());

    for (const auto value : { meter.momentaryLufs(), meter.shortTermLufs(), meter.integratedLufs() })
        CHECK ((std::isfinite (value) || value == minusInf));
    CHECK (std::isfinite (meter.loudnessRangeLu()));
    CHECK (meter.loudnessRangeLu() >= 0.0);
}

TEST_CASE ("A failed LoudnessMeter prepare leaves a meter that ignores its input and reads -inf",
           "[features][loudness]")
{
    const auto [sampleRate, numChannels] = GENERATE (
        table<double, int> ({ { 0.0, 2 }, { std::nan (""), 2 }, { 1.0e9, 2 }, { 48000.0, 0 }, { 48000.0, 65 } }));
    CAPTURE (sampleRate, numChannels);
    LoudnessMeter meter;
    REQUIRE (meter.prepare (48000.0, 2));
    Signal noise (2, 48000);
    test::fillNoise (noise, 0.5f, 1);
    process (meter, noise, 0, noise.getNumSamples());

    CHECK_FALSE (meter.prepare (sampleRate, numChannels));
    process (meter, noise, 0, noise.getNumSamples());
    CHECK (meter.momentaryLufs() == minusInf);
    CHECK (meter.integratedLufs() == minusInf);
    CHECK (meter.loudnessRangeLu() == 0.0);
}

TEST_CASE ("LoudnessMeter process() and queries neither allocate nor lock", "[features][loudness][allocation][guard]")
{
    REQUIRE (test::ScopedAllocationGuard::isActive());
    const auto sampleRate = GENERATE (8000.0, 44100.0, 192000.0);
    const auto numChannels = GENERATE (1, 2, 6);
    CAPTURE (sampleRate, numChannels);

    LoudnessMeter meter;
    meter.prepare (sampleRate, numChannels);
    Signal block (numChannels, 4096);
    test::fillNoise (block, 0.5f, 7);

    const test::ScopedAllocationGuard guard;
    int nans = 0;
    int64_t fed = 0;
    for (int i = 0; fed < static_cast<int64_t> (4.0 * sampleRate); ++i) // past many gating and short-term blocks
    {
        const auto size = 1 + (i * 997) % 4096;
        meter.process (block.getArrayOfReadPointers(), size);
        fed += size;
        for (const auto value :
             { meter.momentaryLufs(), meter.shortTermLufs(), meter.integratedLufs(), meter.loudnessRangeLu() })
            nans += std::isnan (value) ? 1 : 0;
    }
    meter.reset();
    CHECK (guard.allocations() == 0);
    CHECK (guard.deallocations() == 0);
    CHECK (guard.locks() == 0);
    CHECK (nans == 0);
}
