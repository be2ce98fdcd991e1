"""The OData v4 feed (see ``resources``)."""
