from tuimarket.cli import main

raise SystemExit(main())
