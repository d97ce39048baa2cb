#!/usr/bin/env python3
"""Times Earshot against the tools Debian ships for the same measures, on the
same file, in the same run: like for like (`earshot analyze --only FAMILY`
computing what the peer computes) and with every feature; checks that
integrated loudness agrees with ffmpeg's ebur128 filter.

Usage: peers.py EARSHOT_BINARY WORK_DIR

Writes a 10-minute stereo 44.1 kHz test file (music-like: drums, bass, chords)
and its first second into WORK_DIR with sox, then runs every command three
times, interleaved, and keeps each one's fastest wall-clock time. Prints
Markdown tables; exits non-zero if a tool is missing.
"""

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

SECONDS = 600.0


def make_signal(path):
    if os.path.exists(path):
        return
    # A 124 BPM groove: kick (decaying 55 Hz), hats (noise bursts), an A minor / F / C / G pad.
    beat = 60.0 / 124.0
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", path + ".beat.wav",
         "synth", f"{beat:.6f}", "sine", "55", "fade", "l", "0", f"{beat:.6f}", f"{beat * 0.9:.6f}",
         "synth", f"{beat:.6f}", "pinknoise", "mix", "fade", "q", "0.002", f"{beat:.6f}", f"{beat * 0.95:.6f}",
         "gain", "-6", "repeat", str(int(SECONDS / beat))],
        check=True)
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", path + ".pad.wav",
         "synth", f"{4 * beat:.6f}", "sine", "220", "sine", "261.63", "sine", "329.63",
         "synth", f"{4 * beat:.6f}", "sine", "mix", "174.61",
         "gain", "-18", "repeat", str(int(SECONDS / (4 * beat)))],
        check=True)
    subprocess.run(["sox", "-m", path + ".beat.wav", path + ".pad.wav", path, "trim", "0", str(SECONDS), "gain", "-n", "-1"],
                   check=True)
    os.remove(path + ".beat.wav")
    os.remove(path + ".pad.wav")


def best_times(commands, runs=3):
    """Runs the commands in turn, `runs` rounds, so that load changing during the
    run touches each alike; returns each one's fastest wall-clock time, its least
    CPU time (user + system, all threads) and its output."""
    best = [None] * len(commands)
    cpu = [None] * len(commands)
    outputs = [None] * len(commands)
    for _ in range(runs):
        for i, command in enumerate(commands):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}")
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            outputs[i] = done.stdout + done.stderr
            best[i] = elapsed if best[i] is None else min(best[i], elapsed)
            cpu[i] = used if cpu[i] is None else min(cpu[i], used)
    return best, cpu, outputs


def integrated_lufs(earshot_output):
    return json.loads(earshot_output[earshot_output.index("["):])[0]["loudness"]["integratedLufs"]


def speed_ratio(earshot_seconds, peer_seconds):
    ratio = peer_seconds / earshot_seconds
    return f"{ratio:.2f}x" + ("" if ratio >= 1 else " (slower)")


def main():
    earshot, work = sys.argv[1], sys.argv[2]
    for tool in ("ffmpeg", "aubio", "sox"):
        if shutil.which(tool) is None:
            sys.exit(f"peers.py: {tool} is not installed (bash .ci/setup installs it)")
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "peers-10min.wav")
    make_signal(path)
    one_second = os.path.join(work, "peers-1s.wav")
    if not os.path.exists(one_second):
        subprocess.run(["sox", path, one_second, "trim", "0", "1"], check=True)

    def analyze(*families, file=path):
        command = [earshot, "analyze", file, "--json", "--jobs", "1"]
        return command + (["--only", ",".join(families)] if families else [])

    ffmpeg = ["ffmpeg", "-nostats", "-hide_banner", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-"]
    # (measure, Earshot's command, Earshot's label, peer's command, peer's label)
    pairs = [
        ("loudness: integrated, short-term, momentary, LRA, true peak", analyze("loudness"),
         "earshot analyze --only loudness", ffmpeg, "ffmpeg -af ebur128=peak=true"),
        ("tempo (and beats)", analyze("rhythm"), "earshot analyze --only rhythm",
         ["aubio", "tempo", path], "aubio tempo"),
        ("onsets", analyze("rhythm"), "earshot analyze --only rhythm", ["aubio", "onset", path], "aubio onset"),
        ("level statistics: DC, min/max, peak, RMS, RMS peak/trough, crest", analyze("levels"),
         "earshot analyze --only levels", ["sox", path, "-n", "stats"], "sox stats"),
    ]
    everything = analyze()
    startup = [analyze("levels", file=one_second), ["sox", one_second, "-n", "stats"]]

    commands = [everything] + [c for pair in pairs for c in (pair[1], pair[3])] + startup
    load_before = os.getloadavg()[0]
    times, cpu, outputs = best_times(commands)
    load_after = os.getloadavg()[0]
    everything_time, everything_out = times[0], outputs[0]
    pair_times = [(times[1 + 2 * i], times[2 + 2 * i]) for i in range(len(pairs))]
    pair_cpu = [(cpu[1 + 2 * i], cpu[2 + 2 * i]) for i in range(len(pairs))]
    loudness_out, ffmpeg_out = outputs[1], outputs[2]

    print(f"Signal: {SECONDS / 60:.0f} minutes, stereo, 44.1 kHz, 16-bit WAV (music-like, made with sox). "
          f"Wall-clock time, best of 3 (runs interleaved), Earshot on one core (--jobs 1, decoding included); "
          f"load average {load_before:.1f} before the run, {load_after:.1f} after.")
    print()
    print("Like for like: Earshot computing only what the peer computes.")
    print()
    print("| measure | Earshot | s | x realtime | peer | s | x realtime | Earshot / peer speed | CPU s, Earshot / peer |")
    print("|:---|:---|---:|---:|:---|---:|---:|---:|---:|")
    for (measure, _, label, _, peer), (mine, theirs), (my_cpu, their_cpu) in zip(pairs, pair_times, pair_cpu):
        print(f"| {measure} | `{label}` | {mine:.2f} | {SECONDS / mine:.0f}x | `{peer}` | {theirs:.2f} | "
              f"{SECONDS / theirs:.0f}x | {speed_ratio(mine, theirs)} | {my_cpu:.2f} / {their_cpu:.2f} |")
    print()
    print(f"Start-up, on a 1-second file: `earshot analyze --only levels` {times[-2] * 1000:.0f} ms, "
          f"`sox stats` {times[-1] * 1000:.0f} ms.")
    print()
    print("Earshot's whole feature set against each peer's single measure:")
    print()
    print("| tool | seconds | x realtime | Earshot (all features) vs this tool |")
    print("|:---|---:|---:|---:|")
    print(f"| earshot analyze (all features, 1 core) | {everything_time:.2f} | {SECONDS / everything_time:.0f}x | 1.00x |")
    for (_, _, _, _, peer), (_, theirs) in zip(pairs, pair_times):
        print(f"| {peer} | {theirs:.2f} | {SECONDS / theirs:.0f}x | {speed_ratio(everything_time, theirs)} |")
    print()

    ffmpeg_lufs = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", ffmpeg_out)[-1])
    everything_lufs, loudness_lufs = integrated_lufs(everything_out), integrated_lufs(loudness_out)
    difference = abs(everything_lufs - ffmpeg_lufs)
    print(f"Integrated loudness: Earshot {everything_lufs:.2f} LUFS (all features), {loudness_lufs:.2f} LUFS "
          f"(--only loudness), ffmpeg {ffmpeg_lufs:.2f} LUFS, difference {difference:.2f} LU "
          f"(target <= 0.1 LU: {'met' if difference <= 0.1 and loudness_lufs == everything_lufs else 'MISSED'}).")
    slower = [peer for (_, _, _, _, peer), (mine, theirs) in zip(pairs, pair_times) if mine >= theirs]
    print(f"Faster than each peer on its own measure: {'met' if not slower else 'MISSED against ' + ', '.join(slower)}.")


if __name__ == "__main__":
    main()
