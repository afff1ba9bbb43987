package dev.clipengine.data;

import dev.clipengine.Rng;

/**
 * Which template captions each labelled pair in each epoch: a template drawn at random per pair,
 * drawn again at every epoch, so a model sees each image under several phrasings, as open_clip's
 * template augmentation does.
 *
 * <p>The draws of epoch e depend only on the seed and e, never on earlier epochs, so a resumed
 * run gets the same captions as an uninterrupted one with nothing stored in the checkpoint, and a
 * trainer may jump to any epoch. The draw is one pass over a byte per pair: cheap next to an
 * epoch of training, and it allocates nothing.
 */
public final class EpochCaptions {

    private final TemplateCaptions captions;
    private final int[] labels;
    private final Rng root;
    private final long seed;
    /** The template index of each pair in the current epoch. */
    private final byte[] template;
    private long epoch = -1;

    /**
     * @param labels each pair's class, an index into {@code captions}' classes; kept, not copied
     * @param seed   the draws of every epoch follow from it
     */
    public EpochCaptions(TemplateCaptions captions, int[] labels, long seed) {
        if (captions.templateCount() > 256) {
            throw new IllegalArgumentException("at most 256 templates, got " + captions.templateCount());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= captions.classCount()) {
                throw new IllegalArgumentException("pair " + i + ": label " + labels[i] + " is not one of the "
                        + captions.classCount() + " classes");
            }
        }
        this.captions = captions;
        this.labels = labels;
        this.seed = seed;
        this.root = new Rng(seed);
        this.template = new byte[labels.length];
        draw(0);
    }

    /** The same draws with a state of their own, for a second run over the same pairs. */
    public EpochCaptions independentCopy() {
        return new EpochCaptions(captions, labels, seed);
    }

    /** Draws every pair's template for {@code epoch} (0-based); the same epoch always gets the same. */
    public void draw(long epoch) {
        if (epoch == this.epoch) {
            return;
        }
        Rng rng = root.fork(epoch);
        int templates = captions.templateCount();
        for (int i = 0; i < template.length; i++) {
            template[i] = (byte) rng.nextInt(templates);
        }
        this.epoch = epoch;
    }

    /** The epoch whose draws are current. */
    public long epoch() {
        return epoch;
    }

    public TemplateCaptions captions() {
        return captions;
    }

    public int size() {
        return labels.length;
    }

    public int label(int index) {
        return labels[index];
    }

    /** The template of pair {@code index} in the current epoch. */
    public int template(int index) {
        return template[index] & 0xFF;
    }

    /** The caption of pair {@code index} in the current epoch. */
    public String caption(int index) {
        return captions.caption(labels[index], template(index));
    }
}
