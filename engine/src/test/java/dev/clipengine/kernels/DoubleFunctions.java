package dev.clipengine.kernels;

/**
 * GELU and QuickGELU in double for the tests' own references, with an erf of their own (not the
 * engine's): Maclaurin's series near 0 and Laplace's continued fraction for erfc beyond.
 */
public final class DoubleFunctions {

    private DoubleFunctions() {
    }

    /** {@code x Phi(x)}, Phi the standard normal CDF. */
    public static double gelu(double x) {
        return x * 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    /** {@code x sigmoid(1.702 x)}. */
    public static double quickGelu(double x) {
        return x / (1 + Math.exp(-(double) Activation.QUICK_GELU_FACTOR * x));
    }

    public static double activation(Activation kind, double x) {
        return kind == Activation.GELU ? gelu(x) : quickGelu(x);
    }

    /**
     * erf to about 1e-14. For |z| up to 3 the series {@code 2/sqrt(pi) sum (-1)^n z^(2n+1) / (n! (2n+1))}
     * (alternating, its largest term near 200 at z = 3, so some 1e-13 is lost); beyond, {@code 1 - erfc(z)}
     * with {@code erfc(z) = e^(-z^2) / sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...))))}.
     */
    public static double erf(double z) {
        double a = Math.abs(z);
        if (a > 3) {
            double fraction = a;
            for (int k = 80; k >= 1; k--) {
                fraction = a + k / 2.0 / fraction;
            }
            double erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / fraction;
            return Math.copySign(1 - erfc, z);
        }
        double sum = 0;
        double power = z; // z^(2n+1) / n!
        for (int n = 0; n < 200; n++) {
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
                break;
            }
            power *= -z * z / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
