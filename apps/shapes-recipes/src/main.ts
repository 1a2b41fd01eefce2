console.log('shapes-recipes: not implemented yet');
