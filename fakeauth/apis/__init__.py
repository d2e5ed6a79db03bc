"""The vendor APIs: one module per vendor, each a :class:`~fakeauth.apis.base.VendorApi`."""
