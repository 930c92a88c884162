"""Messages of the plan: choices that cannot work together, refused before anything runs."""

from wizard.core.messages import Entry

ENTRIES = {
    "recipe_unreadable": Entry(
        en="{path} is not a recipe the wizard can read ({detail}).",
        en_fix="Pick the recipe.json saved by the wizard, or start a new conversion.",
        ja="{path} はウィザードが読めるレシピではありません（{detail}）。",
        ja_fix="ウィザードが保存した recipe.json を選ぶか、新しい変換を始めてください。",
    ),
}
