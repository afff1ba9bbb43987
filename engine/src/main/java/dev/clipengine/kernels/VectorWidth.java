package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector species every Vector API kernel computes with, chosen once into a
 * {@code static final} so the JIT folds it into every loop: the JVM's preferred width, or a
 * narrower one given as {@code -Dclip.vector.bits=N} (64, 128 or 256; {@code half} for half the
 * preferred width), so that the narrower paths are tested and measured on a wide machine.
 */
final class VectorWidth {

    /** The system property naming the width. */
    static final String PROPERTY = "clip.vector.bits";

    static final VectorSpecies<Float> SPECIES = choose(System.getProperty(PROPERTY));

    private VectorWidth() {
    }

    static VectorSpecies<Float> choose(String requested) {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (requested == null || requested.isBlank()) {
            return preferred;
        }
        int bits;
        if (requested.equals("half")) {
            bits = Math.max(64, preferred.vectorBitSize() / 2);
        } else {
            try {
                bits = Integer.parseInt(requested.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + requested
                        + ": not a number of bits (64, 128, 256, 512) or 'half'");
            }
        }
        if (bits > preferred.vectorBitSize() || Integer.bitCount(bits) != 1 || bits < 64) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + requested + ": this JVM's vectors hold "
                    + preferred.vectorBitSize() + " bits; choose 64, 128, ... up to that");
        }
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() == bits ? preferred
                : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
