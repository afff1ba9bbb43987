package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.model.Tokenizer;
import dev.clipengine.model.Vocabulary;

import java.util.ArrayList;
import java.util.List;

/**
 * Captions made from class names and templates, open_clip's way of turning a labelled image set
 * into image-caption pairs: template {@code "a photo of a {}."} and class {@code "coat"} give
 * {@code "a photo of a coat."}. There are only classes x templates captions, so they are built
 * once here and shared by every pair, and encoded once as token ids.
 */
public final class TemplateCaptions {

    /** Where a template takes the class name. */
    public static final String SLOT = "{}";

    private final List<String> classNames;
    private final List<String> templates;
    /** {@code captions[label][template]}. */
    private final String[][] captions;

    public TemplateCaptions(List<String> classNames, List<String> templates) {
        if (classNames.isEmpty() || templates.isEmpty()) {
            throw new IllegalArgumentException("need at least one class and one template");
        }
        this.classNames = List.copyOf(classNames);
        this.templates = List.copyOf(templates);
        this.captions = new String[classNames.size()][templates.size()];
        for (String template : templates) {
            if (!template.contains(SLOT)) {
                throw new IllegalArgumentException("template \"" + template + "\" has no " + SLOT);
            }
        }
        for (int label = 0; label < classNames.size(); label++) {
            for (int t = 0; t < templates.size(); t++) {
                String caption = templates.get(t).replace(SLOT, classNames.get(label));
                if (Vocabulary.words(caption).isEmpty()) {
                    throw new BadInputException("the caption \"" + caption + "\" has no word");
                }
                captions[label][t] = caption;
            }
        }
    }

    public List<String> classNames() {
        return classNames;
    }

    public List<String> templates() {
        return templates;
    }

    public int classCount() {
        return classNames.size();
    }

    public int templateCount() {
        return templates.size();
    }

    /** The caption of class {@code label} in template {@code template}; always the same instance. */
    public String caption(int label, int template) {
        return captions[label][template];
    }

    /** Every template's caption of each class, for zero-shot prompt ensembles; label k is entry k. */
    public List<List<String>> classPrompts() {
        List<List<String>> prompts = new ArrayList<>(captions.length);
        for (String[] ofClass : captions) {
            prompts.add(List.of(ofClass));
        }
        return prompts;
    }

    /**
     * Every caption, class by class: the text a vocabulary must cover so that no template's words
     * are unknown, however few pairs happened to draw them.
     */
    public List<String> allCaptions() {
        List<String> all = new ArrayList<>(captions.length * templates.size());
        for (String[] ofClass : captions) {
            all.addAll(List.of(ofClass));
        }
        return all;
    }

    /**
     * Token ids of every caption, {@code [label][template]}, so a trainer redrawing templates each
     * epoch never tokenizes again.
     */
    public int[][][] encode(Tokenizer tokenizer) {
        int[][][] ids = new int[captions.length][templates.size()][];
        for (int label = 0; label < captions.length; label++) {
            for (int t = 0; t < templates.size(); t++) {
                ids[label][t] = tokenizer.encode(captions[label][t],
                        "class " + label + " (" + classNames.get(label) + "), template " + t);
            }
        }
        return ids;
    }
}
