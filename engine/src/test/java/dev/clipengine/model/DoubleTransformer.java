package dev.clipengine.model;

import dev.clipengine.kernels.DoubleFunctions;

import java.util.Map;

/**
 * A transformer CLIP's loss written again, directly and in double precision, independent of the
 * engine's kernels and graph: OpenAI's {@code VisionTransformer} and text transformer (pre-norm
 * residual blocks of multi-head self-attention and an MLP), each pooled to one token, normalised
 * and compared by the symmetric contrastive loss. Parameters are looked up by OpenAI's names.
 */
final class DoubleTransformer {

    private DoubleTransformer() {
    }

    static double loss(TransformerConfig c, Map<String, double[]> p, Batch batch) {
        return loss(p.get(ClipModel.LOGIT_SCALE)[0], images(c, p, batch), texts(c, p, batch));
    }

    /** The unit embeddings of the batch's images. */
    static double[][] images(TransformerConfig c, Map<String, double[]> p, Batch batch) {
        double[][] images = new double[batch.size()][];
        for (int k = 0; k < images.length; k++) {
            images[k] = image(c, p, batch, k);
        }
        return images;
    }

    /** The unit embeddings of the batch's captions. */
    static double[][] texts(TransformerConfig c, Map<String, double[]> p, Batch batch) {
        double[][] texts = new double[batch.size()][];
        for (int k = 0; k < texts.length; k++) {
            texts[k] = text(c, p, batch, k);
        }
        return texts;
    }

    /** The symmetric cross-entropy of the logits {@code e^logitScale v_i . t_j}, rows images, columns captions. */
    static double loss(double logitScale, double[][] images, double[][] texts) {
        int n = images.length;
        double scale = Math.exp(logitScale);
        double[][] logits = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                logits[i][j] = scale * dot(images[i], texts[j]);
            }
        }
        double imageToText = 0;
        double textToImage = 0;
        for (int i = 0; i < n; i++) {
            double[] row = new double[n];
            double[] column = new double[n];
            for (int j = 0; j < n; j++) {
                row[j] = logits[i][j];
                column[j] = logits[j][i];
            }
            imageToText += logSumExp(row) - logits[i][i];
            textToImage += logSumExp(column) - logits[i][i];
        }
        return (imageToText / n + textToImage / n) / 2;
    }

    /** Image k's unit embedding: patches through conv1, the class token, positions, ln_pre, blocks, its class token. */
    static double[] image(TransformerConfig c, Map<String, double[]> p, Batch batch, int k) {
        TransformerConfig.Vision v = c.vision();
        int width = v.width();
        int patchDim = c.patchDim();
        int patches = c.patchesPerImage();
        double[] conv1 = p.get(TransformerTensors.CONV1);
        double[] classEmbedding = p.get(TransformerTensors.CLASS_EMBEDDING);
        double[] positional = p.get(TransformerTensors.VISUAL_POSITIONAL_EMBEDDING);
        double[][] x = new double[patches + 1][width];
        for (int w = 0; w < width; w++) {
            x[0][w] = classEmbedding[w] + positional[w];
        }
        for (int t = 1; t <= patches; t++) {
            int patch = (k * patches + t - 1) * patchDim;
            for (int w = 0; w < width; w++) {
                double sum = positional[t * width + w];
                for (int d = 0; d < patchDim; d++) {
                    sum += conv1[w * patchDim + d] * batch.patches[patch + d];
                }
                x[t][w] = sum;
            }
        }
        x = layerNorm(x, p, TransformerTensors.LN_PRE);
        for (int l = 0; l < v.layers(); l++) {
            x = block(x, p, TransformerTensors.VISUAL_BLOCKS + l + ".", v.heads(), false, c.quickGelu());
        }
        return head(x[0], p, TransformerTensors.LN_POST, TransformerTensors.VISUAL_PROJECTION, c.embedDim());
    }

    /** Caption k's unit embedding: token and positional embeddings, causal blocks, the end-of-text token's row. */
    static double[] text(TransformerConfig c, Map<String, double[]> p, Batch batch, int k) {
        TransformerConfig.Text t = c.text();
        int width = t.width();
        int length = t.contextLength();
        double[] tokens = p.get(TransformerTensors.TOKEN_EMBEDDING);
        double[] positional = p.get(TransformerTensors.POSITIONAL_EMBEDDING);
        double[][] x = new double[length][width];
        int end = 0;
        for (int i = 0; i < length; i++) {
            int id = batch.tokenIds[batch.tokenStart[k] + i];
            for (int w = 0; w < width; w++) {
                x[i][w] = tokens[id * width + w] + positional[i * width + w];
            }
            // argmax: the first position of the largest id, the end-of-text token
            if (id > batch.tokenIds[batch.tokenStart[k] + end]) {
                end = i;
            }
        }
        for (int l = 0; l < t.layers(); l++) {
            x = block(x, p, TransformerTensors.TEXT_BLOCKS + l + ".", t.heads(), true, c.quickGelu());
        }
        return head(x[end], p, TransformerTensors.LN_FINAL, TransformerTensors.TEXT_PROJECTION, c.embedDim());
    }

    /** The pooled row's LayerNorm, its projection {@code [width, embed]} and the L2 normalisation. */
    private static double[] head(double[] pooled, Map<String, double[]> p, String norm, String projection, int embed) {
        double[] normed = layerNorm(new double[][] {pooled}, p, norm)[0];
        double[] proj = p.get(projection);
        double[] features = new double[embed];
        for (int e = 0; e < embed; e++) {
            for (int w = 0; w < normed.length; w++) {
                features[e] += normed[w] * proj[w * embed + e];
            }
        }
        double norm2 = Math.sqrt(dot(features, features));
        for (int e = 0; e < embed; e++) {
            features[e] /= Math.max(norm2, 1e-12);
        }
        return features;
    }

    /** {@code x + attn(ln_1(x))}, then {@code + mlp(ln_2(.))}. */
    private static double[][] block(double[][] x, Map<String, double[]> p, String prefix, int heads, boolean causal,
                                    boolean quickGelu) {
        int length = x.length;
        int width = x[0].length;
        int headWidth = width / heads;
        double[][] qkv = linear(layerNorm(x, p, prefix + "ln_1"), p.get(prefix + "attn.in_proj_weight"),
                p.get(prefix + "attn.in_proj_bias"));
        double[][] attended = new double[length][width];
        for (int h = 0; h < heads; h++) {
            int q = h * headWidth;
            int k = width + h * headWidth;
            int v = 2 * width + h * headWidth;
            for (int i = 0; i < length; i++) {
                int keys = causal ? i + 1 : length;
                double[] scores = new double[keys];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    double s = 0;
                    for (int d = 0; d < headWidth; d++) {
                        s += qkv[i][q + d] * qkv[j][k + d];
                    }
                    scores[j] = s / Math.sqrt(headWidth);
                    max = Math.max(max, scores[j]);
                }
                double total = 0;
                for (int j = 0; j < keys; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    total += scores[j];
                }
                for (int j = 0; j < keys; j++) {
                    for (int d = 0; d < headWidth; d++) {
                        attended[i][h * headWidth + d] += scores[j] / total * qkv[j][v + d];
                    }
                }
            }
        }
        double[][] middle = add(x, linear(attended, p.get(prefix + "attn.out_proj.weight"),
                p.get(prefix + "attn.out_proj.bias")));
        double[][] hidden = linear(layerNorm(middle, p, prefix + "ln_2"), p.get(prefix + "mlp.c_fc.weight"),
                p.get(prefix + "mlp.c_fc.bias"));
        for (double[] row : hidden) {
            for (int i = 0; i < row.length; i++) {
                row[i] = quickGelu ? DoubleFunctions.quickGelu(row[i]) : DoubleFunctions.gelu(row[i]);
            }
        }
        return add(middle, linear(hidden, p.get(prefix + "mlp.c_proj.weight"), p.get(prefix + "mlp.c_proj.bias")));
    }

    /** {@code x W^T + b}, W stored {@code [out, in]} as PyTorch's Linear. */
    private static double[][] linear(double[][] x, double[] weight, double[] bias) {
        int in = x[0].length;
        int out = bias.length;
        double[][] y = new double[x.length][out];
        for (int r = 0; r < x.length; r++) {
            for (int o = 0; o < out; o++) {
                double sum = bias[o];
                for (int i = 0; i < in; i++) {
                    sum += weight[o * in + i] * x[r][i];
                }
                y[r][o] = sum;
            }
        }
        return y;
    }

    /** PyTorch's LayerNorm of every row: biased variance, epsilon 1e-5. */
    private static double[][] layerNorm(double[][] x, Map<String, double[]> p, String prefix) {
        double[] gamma = p.get(prefix + ".weight");
        double[] beta = p.get(prefix + ".bias");
        int width = gamma.length;
        double[][] y = new double[x.length][width];
        for (int r = 0; r < x.length; r++) {
            double mean = 0;
            for (double value : x[r]) {
                mean += value / width;
            }
            double variance = 0;
            for (double value : x[r]) {
                variance += (value - mean) * (value - mean) / width;
            }
            for (int c = 0; c < width; c++) {
                y[r][c] = (x[r][c] - mean) / Math.sqrt(variance + 1e-5) * gamma[c] + beta[c];
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] sum = new double[a.length][a[0].length];
        for (int r = 0; r < a.length; r++) {
            for (int c = 0; c < a[0].length; c++) {
                sum[r][c] = a[r][c] + b[r][c];
            }
        }
        return sum;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }
}
