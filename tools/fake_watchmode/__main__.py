from fake_watchmode.server import main

main()
