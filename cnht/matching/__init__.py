"""Supply–demand connection (kết nối cung cầu): buyer sourcing requirements, the matching engine,
and the connections staff broker between buyers and suppliers."""
