"""aioctx.promela: a Promela front end that compiles models onto aioctx.model."""
