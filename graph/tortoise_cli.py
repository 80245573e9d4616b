"""Config for tortoise's own CLI (`tortoise makemigrations`), see [tool.tortoise]."""

from graph.settings import Settings

TORTOISE_ORM = Settings().tortoise_config
