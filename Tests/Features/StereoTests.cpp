#include "Features/Stereo.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace earshot;

namespace
{
constexpr int oneSecond = 48000;

/** 1 s of a 1 kHz sine at 48 kHz (a whole number of periods) scaled by `gain`,
    starting at `phase` radians. */
std::vector<float> sine (float gain, double phase = 0.0)
{
    std::vector<float> samples (oneSecond);
    for (size_t i = 0; i < samples.size(); ++i)
        samples[i] =
            gain * static_cast<float> (std::sin (
                       juce::MathConstants<double>::twoPi * 1000.0 * static_cast<double> (i) / oneSecond + phase));
    return samples;
}

StereoImage imageOf (const std::vector<float>& left, const std::vector<float>& right)
{
    Stereo stereo;
    stereo.process (left.data(), right.data(), static_cast<int> (left.size()));
    return stereo.image();
}
} // namespace

TEST_CASE ("Identical channels are fully correlated, with no width and centred", "[features][stereo]")
{
    const auto signal = sine (0.5f);
    const auto image = imageOf (signal, signal);
    CHECK (image.correlation == Approx (1.0).margin (1e-6));
    CHECK (image.width == Approx (0.0).margin (1e-6));
    CHECK (image.balance == Approx (0.0).margin (1e-6));
}

TEST_CASE ("Opposite channels are anti-correlated and all side", "[features][stereo]")
{
    const auto left = sine (0.5f);
    const auto right = sine (-0.5f);
    const auto image = imageOf (left, right);
    CHECK (image.correlation == Approx (-1.0).margin (1e-6));
    CHECK (image.width == Approx (1.0).margin (1e-6));
    CHECK (image.balance == Approx (0.0).margin (1e-6));
}

TEST_CASE ("A signal on one channel only is fully to that side", "[features][stereo]")
{
    const auto signal = sine (0.5f);
    const std::vector<float> silence (signal.size(), 0.0f);

    const auto onlyLeft = imageOf (signal, silence);
    CHECK (onlyLeft.balance == Approx (-1.0).margin (1e-6));
    CHECK (onlyLeft.correlation == 0.0f);                 // undefined with a silent side: reported as unrelated
    CHECK (onlyLeft.width == Approx (0.5).margin (1e-6)); // mid = side = L / 2

    const auto onlyRight = imageOf (silence, signal);
    CHECK (onlyRight.balance == Approx (1.0).margin (1e-6));
    CHECK (onlyRight.correlation == 0.0f);
}

TEST_CASE ("A source panned by gain reads the analytic balance and width", "[features][stereo]")
{
    // R = L / 2: balance (1/4 - 1) / (1/4 + 1) = -0.6; width (5/4 - 2 * 1/2) / (2 * 5/4) = 0.1.
    const auto image = imageOf (sine (0.5f), sine (0.25f));
    CHECK (image.correlation == Approx (1.0).margin (1e-6));
    CHECK (image.balance == Approx (-0.6).margin (1e-6));
    CHECK (image.width == Approx (0.1).margin (1e-6));
}

TEST_CASE ("Sines 90 degrees apart are uncorrelated and half side", "[features][stereo]")
{
    const auto image = imageOf (sine (0.5f), sine (0.5f, juce::MathConstants<double>::halfPi));
    CHECK (image.correlation == Approx (0.0).margin (1e-4));
    CHECK (image.width == Approx (0.5).margin (1e-4));
    CHECK (image.balance == Approx (0.0).margin (1e-4));
}

TEST_CASE ("Independent noise on left and right is uncorrelated and half side", "[features][stereo]")
{
    juce::AudioBuffer<float> left (1, oneSecond), right (1, oneSecond);
    test::fillNoise (left, 0.5f, 11);
    test::fillNoise (right, 0.5f, 22);
    Stereo stereo;
    stereo.process (left.getReadPointer (0), right.getReadPointer (0), oneSecond);
    const auto image = stereo.image();
    CHECK (image.correlation == Approx (0.0).margin (0.05));
    CHECK (image.width == Approx (0.5).margin (0.05));
    CHECK (image.balance == Approx (0.0).margin (0.05));
}

TEST_CASE ("The image accumulates over calls, and reset() clears it", "[features][stereo]")
{
    const auto left = sine (0.5f);
    const auto right = sine (0.3f, 1.0);
    const auto whole = imageOf (left, right);

    Stereo stereo;
    for (int start = 0; start < oneSecond; start += 777)
    {
        const auto size = std::min (777, oneSecond - start);
        stereo.process (left.data() + start, right.data() + start, size);
    }
    const auto pieces = stereo.image();
    CHECK (pieces.correlation == Approx (whole.correlation).margin (1e-6));
    CHECK (pieces.width == Approx (whole.width).margin (1e-6));
    CHECK (pieces.balance == Approx (whole.balance).margin (1e-6));
    CHECK (pieces.correlation != 0.0f);

    stereo.reset();
    const auto cleared = stereo.image();
    CHECK (cleared.correlation == 0.0f);
    CHECK (cleared.width == 0.0f);
    CHECK (cleared.balance == 0.0f);
}

TEST_CASE ("Silence, nothing and non-finite input give a zero image, never NaN", "[features][stereo]")
{
    const std::vector<float> silence (1024, 0.0f);
    const auto quiet = imageOf (silence, silence);
    CHECK (quiet.correlation == 0.0f);
    CHECK (quiet.width == 0.0f);
    CHECK (quiet.balance == 0.0f);

    Stereo untouched;
    untouched.process (nullptr, nullptr, 100);
    untouched.process (silence.data(), silence.data(), 0);
    CHECK (untouched.image().width == 0.0f);

    // NaN and Inf samples count as silence: the rest still reads as L = R.
    auto bad = sine (0.5f);
    bad[5] = std::numeric_limits<float>::quiet_NaN();
    bad[6] = std::numeric_limits<float>::infinity();
    bad[7] = -std::numeric_limits<float>::infinity();
    const auto image = imageOf (bad, bad);
    CHECK (image.correlation == Approx (1.0).margin (1e-6));
    CHECK (image.width == Approx (0.0).margin (1e-6));
    CHECK (image.balance == Approx (0.0).margin (1e-6));
}
