"""Config for tortoise's own CLI (`tortoise makemigrations`), see [tool.tortoise]."""

from server.settings import Settings

TORTOISE_ORM = Settings().tortoise_config
