package io.zgrnet.noise;

import java.util.ArrayList;
import java.util.List;

/** A {@link HandshakeTrace} that keeps copies of every step. */
final class RecordingTrace implements HandshakeTrace {
    /** One recorded step; input/output may be null. */
    record Step(String name, byte[] ck, byte[] h, byte[] input, byte[] output) {
    }

    final List<Step> steps = new ArrayList<>();

    @Override
    public void step(String step, byte[] chainingKey, byte[] hash, byte[] input, byte[] output) {
        steps.add(new Step(step, chainingKey.clone(), hash.clone(), input == null ? null : input.clone(),
                output == null ? null : output.clone()));
    }
}
