/**
 * @reca/shapes-world — ShapesWorld v1 (DESIGN.md §3–4): seeded scenes rendered exactly per the contract, dense and
 * sparse captions with their vocabulary, GenEval-style prompts with structured requirements and a held-out split,
 * and a detector-free evaluator with prompt specificity.
 */
export { shapeColors, shapeColorRgb, backgroundRgb, isShapeColor, type ShapeColor, type Rgb } from './palette/shape-color.js';
export { shapeKinds, isShapeKind, type ShapeKind } from './scene/shape-kind.js';
export type { Scene, SceneObject } from './scene/scene.js';
export { resolveSceneOptions, type SceneOptions, type ResolvedSceneOptions } from './scene/scene-options.js';
export { isInsideShape, shapeMask } from './scene/shape-mask.js';
export { objectCentroid, type Point } from './scene/object-centroid.js';
export { boxesSeparated } from './scene/boxes-separated.js';
export { placeObjects, type ObjectSpecification } from './scene/place-objects.js';
export { sampleScene, type SampleSceneOptions } from './scene/sample-scene.js';
export { toObjectRecord, fromObjectRecord, type SceneObjectRecord } from './scene/scene-record.js';
export { renderScene } from './render/render-scene.js';
export {
  heldoutCombinations,
  isHeldoutCombination,
  allCombinations,
  trainingCombinations,
  type ColorShapeCombination,
} from './heldout/heldout-combinations.js';
export { heldoutPolicies, type HeldoutPolicy } from './heldout/heldout-policy.js';
export type { CaptionOptions, SparseCaptionOptions } from './captions/caption-options.js';
export { denseCaption } from './captions/dense-caption.js';
export { sparseCaption } from './captions/sparse-caption.js';
export { objectNoun, hidesCombination } from './captions/describe-object.js';
export { numberWords, numberWord, parseNumberWord } from './captions/number-words.js';
export { shapesWorldVocabulary, splitShapesWorldWords } from './captions/vocabulary.js';
export { relations, relationHolds, relationThresholdPixels, type Relation } from './prompts/relation.js';
export type { ObjectRequirement, ExcludeRequirement, PromptRequirements } from './prompts/prompt-requirements.js';
export { promptCategories, promptCategoryTitles, isPromptCategory, type PromptCategory } from './prompts/prompt-category.js';
export type { PromptRecord } from './prompts/prompt-record.js';
export type { ObservedObject } from './prompts/observed-object.js';
export { checkRequirements, type RequirementCheck } from './prompts/check-requirements.js';
export {
  parseDescription,
  descriptionRequirements,
  type DescriptionPhrase,
  type ParsedDescription,
} from './prompts/parse-description.js';
export { parsePrompt, promptTemplates, type ParsedPrompt } from './prompts/parse-prompt.js';
export { promptSplits, type PromptSplit } from './prompts/prompt-split.js';
export { generatePrompts, promptTextsOf, type GeneratePromptsOptions } from './prompts/generate-prompts.js';
export { readPromptsFile } from './prompts/read-prompts-file.js';
export { formatPromptsJsonl } from './prompts/format-prompts-jsonl.js';
export { validateInclude, validateExclude } from './prompts/validate-requirements.js';
export {
  type DetectorOptions,
  defaultMaximumColorDistance,
  defaultMinimumComponentPixels,
} from './evaluation/detector-options.js';
export { labelPixels } from './evaluation/label-pixels.js';
export { connectedComponents, type Component } from './evaluation/connected-components.js';
export { classifyShape, shapePrototypes, type ShapeFeatures } from './evaluation/classify-shape.js';
export type { DetectedObject } from './evaluation/detected-object.js';
export { detectObjects } from './evaluation/detect-objects.js';
export type { CategoryScore, ImageResult, EvaluationSummary, EvaluationSummaryJson } from './evaluation/evaluation-summary.js';
export { evaluateImages } from './evaluation/evaluate-images.js';
export { evaluateUnconditionalImages, type UnconditionalScore } from './evaluation/evaluate-unconditional.js';
export { evaluationSummaryJson, formatEvaluationTable } from './evaluation/format-evaluation.js';
export { findPromptImageFiles, loadPromptImages } from './evaluation/load-prompt-images.js';
export { sampleSceneForPrompt, observeScene, type SampleSceneForPromptOptions } from './ground-truth/sample-scene-for-prompt.js';
export type { SceneRecord } from './dataset/scene-record.js';
export {
  generateSceneExample,
  type ShapesDatasetOptions,
  type SceneExample,
} from './dataset/generate-scene-example.js';
export { writeShapesDataset, scenesFileName, imagesFolderName, type WrittenShapesDataset } from './dataset/write-shapes-dataset.js';
export { readScenesFile } from './dataset/read-scenes-file.js';
export { SceneSamplingError } from './errors/scene-sampling-error.js';
export { PromptParseError } from './errors/prompt-parse-error.js';
export { ShapesFileError } from './errors/shapes-file-error.js';
export { VERSION } from './version.js';
